using Planets.Ml.Config;

namespace Planets.Ml.Tests;

public sealed class ParamsAndCliTests
{
    private static string RepoParams()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "params.yaml");
            if (File.Exists(candidate) && Directory.Exists(Path.Combine(dir.FullName, "src", "Planets.Ml")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("repository params.yaml not found");
    }

    [Fact]
    public async Task Repository_params_have_the_reference_defaults()
    {
        var p = await ParamsLoader.LoadAsync(RepoParams(), CancellationToken.None);
        Assert.Equal(new PrepareParams(77, 0.2, 32, 32, true), p.Prepare);
        Assert.Equal(new TrainParams(77, 0.0001, 5, 32, 32, 64, 11, DeviceChoice.Auto, Reproducible: true), p.Train);
    }

    [Theory]
    [InlineData("split: 0.2", "split: 1.5", "prepare.split must be a number between 0 and 1 (exclusive), got 1.5")]
    [InlineData("epochs: 1", "epochs: 0", "train.epochs must be a positive integer, got 0")]
    [InlineData("device: cpu", "device: tpu", "train.device must be one of auto, cpu, cuda, got tpu")]
    [InlineData("  lr: 0.001\n", "", "train.lr is missing (expected a positive number)")]
    [InlineData("image_size: [16, 16]", "image_size: [16]", "prepare.image_size must be two positive integers, got [16]")]
    [InlineData("seed: 77\n  split", "seed: abc\n  split", "invalid YAML at line")]
    public async Task Bad_params_give_one_clear_line(string from, string to, string expected)
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml().Replace(from, to, StringComparison.Ordinal));
        var result = await Cli.RunAsync("prepare", dir["raw"], dir["prepared"], "--params", yaml);
        Cli.AssertUserError(result, $"{yaml}: {expected}");
    }

    [Fact]
    public async Task Missing_params_file_is_named()
    {
        using var dir = new TempDir();
        var result = await Cli.RunAsync("train", dir["p"], dir["m"], "--params", dir["none.yaml"]);
        Cli.AssertUserError(result, $"{dir["none.yaml"]}: file not found");
    }

    [Fact]
    public async Task Unknown_command_and_option_are_rejected()
    {
        Cli.AssertUserError(await Cli.RunAsync("fly"), "unknown command 'fly'");
        Cli.AssertUserError(await Cli.RunAsync("prepare", "a", "b", "--fast", "1"), "prepare: unknown option '--fast'");
        Cli.AssertUserError(await Cli.RunAsync("train", "only-one"), "usage: train <prepared-dir> <model-dir>");
    }
}
