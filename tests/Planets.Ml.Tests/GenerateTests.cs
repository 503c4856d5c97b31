using Planets.Models.Preprocessing;
using Planets.Ml.Synthetic;

namespace Planets.Ml.Tests;

public sealed class GenerateTests
{
    [Fact]
    public async Task Writes_the_reference_layout_with_128px_jpegs()
    {
        using var dir = new TempDir();
        await Cli.RunOkAsync("generate", dir["raw"], "--per-class", "2");

        var classes = Directory.GetDirectories(dir["raw"]).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(PlanetPainter.Classes, classes);
        foreach (var name in PlanetPainter.Classes)
        {
            Assert.Equal([$"{name}_0.jpg", $"{name}_1.jpg"], Directory.GetFiles(dir[Path.Combine("raw", name)]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }

        using var image = ImagePreprocessor.Decode(File.ReadAllBytes(dir["raw/Earth/Earth_0.jpg"]));
        Assert.Equal((128, 128), (image.Width, image.Height));
    }

    [Fact]
    public async Task Is_byte_identical_across_runs()
    {
        using var dir = new TempDir();
        await Cli.RunOkAsync("generate", dir["a"], "--per-class", "2");
        await Cli.RunOkAsync("generate", dir["b"], "--per-class", "2");
        foreach (var file in Directory.GetFiles(dir["a"], "*.jpg", SearchOption.AllDirectories))
        {
            var twin = Path.Combine(dir["b"], Path.GetRelativePath(dir["a"], file));
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(twin));
        }
    }

    [Fact]
    public void Classes_look_different_and_images_vary()
    {
        var preprocessor = new ImagePreprocessor(new PreprocessOptions(32, 32, Grayscale: false));
        float[] Pixels(string name, int n)
        {
            using var bitmap = PlanetPainter.Paint(name, n);
            return preprocessor.Preprocess(bitmap);
        }

        static double Distance(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
        var firsts = PlanetPainter.Classes.Select(c => Pixels(c, 0)).ToArray();
        for (var i = 0; i < firsts.Length; i++)
        {
            for (var j = i + 1; j < firsts.Length; j++)
            {
                Assert.True(Distance(firsts[i], firsts[j]) > 0.01, $"{PlanetPainter.Classes[i]} vs {PlanetPainter.Classes[j]}");
            }
        }

        Assert.True(Distance(Pixels("Mars", 0), Pixels("Mars", 1)) > 0.01);
    }

    [Fact]
    public async Task Rejects_a_bad_count()
    {
        using var dir = new TempDir();
        Cli.AssertUserError(await Cli.RunAsync("generate", dir["raw"], "--per-class", "0"), "--per-class must be a positive integer, got '0'");
    }
}
