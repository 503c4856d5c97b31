using System.Globalization;
using Planets.Ml.Cli;

namespace Planets.Serving.Tests;

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "planets-serving-tests", Guid.NewGuid().ToString("N"));

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Runs Planets.Ml's commands in-process, as the pipeline's stages run them in a process of their own.</summary>
public static class Ml
{
    public static async Task RunOkAsync(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = await App.RunAsync(args, stdout, stderr, CancellationToken.None);
        Assert.True(code == 0, $"{string.Join(' ', args)}: exit {code}: {stderr}");
    }

    /// <summary>Small but real: 32x32 grayscale images, the reference architecture with fewer filters, two epochs.</summary>
    public const string Params = """
        prepare:
          seed: 77
          split: 0.2
          image_size: [32, 32]
          grayscale: true
        train:
          seed: 77
          lr: 0.002
          epochs: 2
          batch_size: 16
          conv_size: 8
          dense_size: 16
          output_classes: 11
          device: cpu
        """;
}
