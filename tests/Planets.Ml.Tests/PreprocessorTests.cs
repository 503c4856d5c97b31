using Planets.Models.Preprocessing;
using SkiaSharp;

namespace Planets.Ml.Tests;

public sealed class PreprocessorTests
{
    private static byte[] Png(int width, int height, Func<int, int, SKColor> color)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, color(x, y));
            }
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Fact]
    public void Grayscale_uses_bt601_luma_scaled_to_unit_range()
    {
        var red = Png(8, 8, (_, _) => new SKColor(255, 0, 0));
        var output = new ImagePreprocessor(new PreprocessOptions(4, 4, Grayscale: true)).Preprocess(red);
        Assert.Equal(16, output.Length);
        Assert.All(output, v => Assert.Equal(0.299f, v, 1e-6f));
    }

    [Fact]
    public void Rgb_output_is_channel_first_planes()
    {
        var color = Png(2, 2, (_, _) => new SKColor(255, 51, 0));
        var output = new ImagePreprocessor(new PreprocessOptions(2, 2, Grayscale: false)).Preprocess(color);
        Assert.Equal([1f, 1f, 1f, 1f, 0.2f, 0.2f, 0.2f, 0.2f, 0f, 0f, 0f, 0f], output);
    }

    [Fact]
    public void Downscale_by_two_averages_each_two_by_two_block()
    {
        // Half-pixel-centred bilinear: output pixel 0 samples source x = 0.5, between pixels 0 and 1.
        var checker = Png(2, 2, (x, y) => (x + y) % 2 == 0 ? SKColors.Black : SKColors.White);
        var output = new ImagePreprocessor(new PreprocessOptions(1, 1, Grayscale: true)).Preprocess(checker);
        Assert.Equal(0.5f, output[0], 1e-5f);
    }

    [Fact]
    public void Downscale_by_four_samples_the_middle_of_each_block_like_tensorflow()
    {
        // Source columns 0..3 = 0, 0, 255, 255 (gray): centre 1.5 lies halfway between columns 1 and 2.
        var ramp = Png(4, 1, (x, _) => x < 2 ? SKColors.Black : SKColors.White);
        var output = new ImagePreprocessor(new PreprocessOptions(1, 1, Grayscale: true)).Preprocess(ramp);
        Assert.Equal(0.5f, output[0], 1e-5f);
    }

    [Fact]
    public void Same_size_keeps_pixels()
    {
        var gray = Png(3, 1, (x, _) => new SKColor((byte)(x * 100), (byte)(x * 100), (byte)(x * 100)));
        var output = new ImagePreprocessor(new PreprocessOptions(3, 1, Grayscale: true)).Preprocess(gray);
        Assert.Equal(0f, output[0], 1e-6f);
        Assert.Equal(100f / 255f, output[1], 1e-5f);
        Assert.Equal(200f / 255f, output[2], 1e-5f);
    }

    [Fact]
    public void Undecodable_bytes_throw_invalid_data()
    {
        var preprocessor = new ImagePreprocessor(new PreprocessOptions(4, 4, Grayscale: true));
        Assert.Throws<InvalidDataException>(() => preprocessor.Preprocess("not an image"u8));
    }

    [Fact]
    public void Truncated_jpeg_throws_invalid_data()
    {
        using var bitmap = Synthetic.PlanetPainter.Paint("Saturn", 0);
        var jpeg = Synthetic.PlanetPainter.EncodeJpeg(bitmap);
        var preprocessor = new ImagePreprocessor(new PreprocessOptions(4, 4, Grayscale: true));
        Assert.Throws<InvalidDataException>(() => preprocessor.Preprocess(jpeg.AsSpan(0, jpeg.Length / 2)));
    }
}
