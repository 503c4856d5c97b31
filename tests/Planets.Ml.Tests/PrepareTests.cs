using Planets.Ml.Data;
using Planets.Ml.Synthetic;

namespace Planets.Ml.Tests;

public sealed class PrepareTests(DatasetFixture data) : IClassFixture<DatasetFixture>
{
    [Fact]
    public async Task Writes_sets_labels_and_preview()
    {
        var train = await PreparedSet.ReadAsync(Path.Combine(data.Prepared, "train.bin"), CancellationToken.None);
        var test = await PreparedSet.ReadAsync(Path.Combine(data.Prepared, "test.bin"), CancellationToken.None);

        // 44 images, split 0.2: floor(8.8) = 8 held out.
        Assert.Equal((36, 8), (train.Count, test.Count));
        Assert.Equal((1, 16, 16, 11), (train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.All(train.Pixels, v => Assert.InRange(v, 0f, 1f));
        var labels = System.Text.Json.JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(data.Prepared, "labels.json")));
        Assert.Equal(PlanetPainter.Classes, labels);
        Cli.AssertPng(Path.Combine(data.Prepared, "preview.png"));
        Assert.Empty(Directory.GetFiles(data.Prepared, "*.tmp"));
    }

    [Fact]
    public async Task Is_deterministic()
    {
        using var dir = new TempDir();
        await Cli.RunOkAsync("prepare", data.Raw, dir["again"], "--params", data.Params);
        foreach (var file in new[] { "train.bin", "test.bin", "labels.json" })
        {
            Assert.Equal(Cli.Sha256(Path.Combine(data.Prepared, file)), Cli.Sha256(Path.Combine(dir["again"], file)));
        }
    }

    [Fact]
    public async Task Reads_png_images_too()
    {
        using var dir = new TempDir();
        CopyRaw(dir["raw"]);
        using (var bitmap = PlanetPainter.Paint("Moon", 99))
        using (var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
        {
            File.WriteAllBytes(dir["raw/Moon/Moon_99.png"], png.ToArray());
        }

        var result = await Cli.RunOkAsync("prepare", dir["raw"], dir["prepared"], "--params", data.Params);
        Assert.Contains("45 images", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extra_training_images_join_the_training_set_and_leave_the_test_set_as_it_was()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["annotated/Moon"]);
        Directory.CreateDirectory(dir["annotated/Saturn"]);
        File.Copy(Directory.GetFiles(Path.Combine(data.Raw, "Moon")).Order(StringComparer.Ordinal).First(), dir["annotated/Moon/new-moon.jpg"]);
        File.Copy(Directory.GetFiles(Path.Combine(data.Raw, "Saturn")).Order(StringComparer.Ordinal).First(), dir["annotated/Saturn/new-saturn.jpg"]);

        var result = await Cli.RunOkAsync("prepare", data.Raw, dir["prepared"], "--extra-train", dir["annotated"], "--params", data.Params);

        var before = await PreparedSet.ReadAsync(Path.Combine(data.Prepared, "train.bin"), CancellationToken.None);
        var after = await PreparedSet.ReadAsync(dir["prepared/train.bin"], CancellationToken.None);
        Assert.Contains("44 images + 2 extra for training, 11 classes -> 38 train, 8 test", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(Cli.Sha256(Path.Combine(data.Prepared, "test.bin")), Cli.Sha256(dir["prepared/test.bin"]));
        Assert.Equal([.. before.Labels, PlanetPainter.Classes.ToList().IndexOf("Moon"), PlanetPainter.Classes.ToList().IndexOf("Saturn")], after.Labels);
        Assert.Equal(before.Pixels, after.Pixels.AsSpan(0, before.Pixels.Length).ToArray());
    }

    [Fact]
    public async Task An_extra_folder_naming_no_class_is_refused()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["annotated/Vulcan"]);

        var result = await Cli.RunAsync("prepare", data.Raw, dir["prepared"], "--extra-train", dir["annotated"], "--params", data.Params);

        Cli.AssertUserError(result, $"{dir["annotated"]}: folders Vulcan are no class of the raw data (Earth, Jupiter, MakeMake, Mars, Mercury, Moon, Neptune, Pluto, Saturn, Uranus, Venus)");
        Assert.False(File.Exists(dir["prepared/train.bin"]));
    }

    [Fact]
    public async Task Corrupt_image_is_named()
    {
        using var dir = new TempDir();
        CopyRaw(dir["raw"]);
        var bad = dir["raw/Mars/Mars_1.jpg"];
        File.WriteAllBytes(bad, File.ReadAllBytes(bad).AsSpan(0, 300).ToArray());
        var result = await Cli.RunAsync("prepare", dir["raw"], dir["prepared"], "--params", data.Params);
        Cli.AssertUserError(result, $"{bad}: cannot read image");
        Assert.False(File.Exists(dir["prepared/train.bin"]));
    }

    [Fact]
    public async Task Empty_class_folder_is_named()
    {
        using var dir = new TempDir();
        CopyRaw(dir["raw"]);
        foreach (var file in Directory.GetFiles(dir["raw/Pluto"]))
        {
            File.Delete(file);
        }

        var result = await Cli.RunAsync("prepare", dir["raw"], dir["prepared"], "--params", data.Params);
        Cli.AssertUserError(result, $"{dir["raw/Pluto"]}: class folder has no .jpg, .jpeg or .png images");
    }

    [Fact]
    public async Task Zero_image_size_is_rejected()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(imageSize: "[0, 32]"));
        var result = await Cli.RunAsync("prepare", data.Raw, dir["prepared"], "--params", yaml);
        Cli.AssertUserError(result, $"{yaml}: prepare.image_size must be two positive integers, got [0, 32]");
    }

    [Fact]
    public async Task Class_count_disagreeing_with_params_is_rejected()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(outputClasses: 10));
        var result = await Cli.RunAsync("prepare", data.Raw, dir["prepared"], "--params", yaml);
        Cli.AssertUserError(result, $"{yaml}: train.output_classes is 10 but {data.Raw} has 11 class folders");
    }

    [Fact]
    public async Task Missing_raw_folder_is_named()
    {
        using var dir = new TempDir();
        var result = await Cli.RunAsync("prepare", dir["nowhere"], dir["prepared"], "--params", data.Params);
        Cli.AssertUserError(result, $"{dir["nowhere"]}: raw data folder not found");
    }

    private void CopyRaw(string target)
    {
        foreach (var file in Directory.GetFiles(data.Raw, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(data.Raw, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
