using SkiaSharp;

namespace Planets.Models.Preprocessing;

/// <summary>
/// Turns an encoded image (JPEG or PNG) into a model input: decode, optional grayscale, resize,
/// scale to [0, 1]. Training data and prediction requests must go through this one class so that
/// the model sees identically processed pixels in both places.
/// </summary>
/// <remarks>
/// Output layout is channel-first (C x H x W, row-major), the layout of the model's input tensor.
/// Grayscale and resize are done here in plain floating point rather than by the image library, so
/// the result does not depend on the native library's version or SIMD paths, only decoding does.
/// </remarks>
public sealed class ImagePreprocessor
{
    // ITU-R BT.601 luma weights, the ones TensorFlow's and PIL's grayscale conversions use.
    private const float LumaRed = 0.299f;
    private const float LumaGreen = 0.587f;
    private const float LumaBlue = 0.114f;

    /// <summary>Creates a preprocessor for the given output shape.</summary>
    public ImagePreprocessor(PreprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Height);
        Options = options;
    }

    /// <summary>The output shape this preprocessor produces.</summary>
    public PreprocessOptions Options { get; }

    /// <summary>
    /// Most pixels an input may have. The check comes before the bitmap is allocated, so a small file that
    /// claims huge dimensions (a decompression bomb) is refused instead of exhausting memory.
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Default of <see cref="MaxPixels"/>: 50 megapixels, far above any photo of the dataset.</summary>
    public const long DefaultMaxPixels = 50_000_000;

    /// <summary>Decodes and preprocesses one encoded image.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a complete JPEG or PNG image.</exception>
    public float[] Preprocess(ReadOnlySpan<byte> encoded)
    {
        using var bitmap = Decode(encoded, MaxPixels);
        return Preprocess(bitmap);
    }

    /// <summary>Preprocesses an already decoded bitmap.</summary>
    public float[] Preprocess(SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        var planes = ToPlanes(bitmap, Options.Grayscale);
        var output = new float[Options.Length];
        var planeLength = Options.Width * Options.Height;
        for (var c = 0; c < planes.Length; c++)
        {
            var resized = Resampler.Resize(planes[c], bitmap.Width, bitmap.Height, Options.Width, Options.Height);
            for (var i = 0; i < planeLength; i++)
            {
                output[(c * planeLength) + i] = Math.Clamp(resized[i] / 255f, 0f, 1f);
            }
        }

        return output;
    }

    /// <summary>Decodes a JPEG or PNG into an opaque RGBA bitmap.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a complete, decodable image, or it has more than <paramref name="maxPixels"/> pixels.</exception>
    public static SKBitmap Decode(ReadOnlySpan<byte> encoded, long maxPixels = DefaultMaxPixels)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException("not a decodable JPEG or PNG image");
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png))
        {
            throw new InvalidDataException($"unsupported image format {codec.EncodedFormat} (expected JPEG or PNG)");
        }

        if ((long)codec.Info.Width * codec.Info.Height > maxPixels)
        {
            throw new InvalidDataException($"image of {codec.Info.Width}x{codec.Info.Height} pixels is larger than the limit of {maxPixels} pixels");
        }

        // Premultiplied alpha composites transparent PNG pixels over black, the dataset's background.
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new InvalidDataException($"image data is damaged or truncated ({result})");
        }

        return bitmap;
    }

    /// <summary>Splits a bitmap into float planes of 0..255 values: one luma plane or R, G, B planes.</summary>
    internal static float[][] ToPlanes(SKBitmap bitmap, bool grayscale)
    {
        using var rgba = bitmap.ColorType == SKColorType.Rgba8888 ? null : bitmap.Copy(SKColorType.Rgba8888);
        var source = rgba ?? bitmap;
        var pixels = source.GetPixelSpan();
        var count = source.Width * source.Height;
        var planes = Enumerable.Range(0, grayscale ? 1 : 3).Select(_ => new float[count]).ToArray();
        for (var i = 0; i < count; i++)
        {
            float r = pixels[i * 4], g = pixels[(i * 4) + 1], b = pixels[(i * 4) + 2];
            if (grayscale)
            {
                planes[0][i] = (LumaRed * r) + (LumaGreen * g) + (LumaBlue * b);
            }
            else
            {
                planes[0][i] = r;
                planes[1][i] = g;
                planes[2][i] = b;
            }
        }

        return planes;
    }
}
