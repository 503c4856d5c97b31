using System.Security.Cryptography;
using Planets.Ml.Cli;

namespace Planets.Ml.Tests;

/// <summary>Result of one in-process run of the program.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs commands in-process and provides temporary folders.</summary>
public static class Cli
{
    public static async Task<RunResult> RunAsync(params string[] args) => await RunAsync(CancellationToken.None, args);

    public static async Task<RunResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await App.RunAsync(args, stdout, stderr, cancellationToken);
        return new RunResult(code, stdout.ToString(), stderr.ToString());
    }

    public static async Task<RunResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        return result;
    }

    /// <summary>Asserts a user error: exit code 1 and exactly one stderr line containing <paramref name="expected"/>.</summary>
    public static void AssertUserError(RunResult result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    public static void AssertPng(string path, int minimumBytes = 1000)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= minimumBytes, $"{path} has only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "planets-ml-tests", Guid.NewGuid().ToString("N"));

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Params for fast tests: 16x16 images, one epoch.</summary>
public static class TestParams
{
    public static string Yaml(string imageSize = "[16, 16]", int outputClasses = 11, int epochs = 1, string device = "cpu", bool reproducible = true) => $"""
        prepare:
          seed: 77
          split: 0.2
          image_size: {imageSize}
          grayscale: true
        train:
          seed: 77
          lr: 0.001
          epochs: {epochs}
          batch_size: 8
          conv_size: 8
          dense_size: 16
          output_classes: {outputClasses}
          device: {device}
          reproducible: {(reproducible ? "true" : "false")}
        """;

    public static string Write(TempDir dir, string yaml, string name = "params.yaml")
    {
        var path = dir[name];
        File.WriteAllText(path, yaml);
        return path;
    }
}

/// <summary>
/// One tiny generated and prepared dataset (4 images per class), shared by the tests of a class so
/// generation and preparation run once.
/// </summary>
public sealed class DatasetFixture : IAsyncLifetime, IDisposable
{
    public const int PerClass = 4;

    public TempDir Dir { get; } = new();

    public string Raw => Dir["raw"];

    public string Prepared => Dir["prepared"];

    public string Params => Dir["params.yaml"];

    public async Task InitializeAsync()
    {
        TestParams.Write(Dir, TestParams.Yaml());
        await Cli.RunOkAsync("generate", Raw, "--per-class", PerClass.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Cli.RunOkAsync("prepare", Raw, Prepared, "--params", Params);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Dir.Dispose();
}
