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

    [Theory]
    [InlineData("Unrecognized command or argument 'fly'", "fly")]
    [InlineData("Unrecognized command or argument '--fast' (see Planets.Ml prepare --help)", "prepare", "a", "b", "--fast")]
    [InlineData("Required argument 'model-dir' missing for command: 'train' (see Planets.Ml train --help)", "train", "only-one")]
    [InlineData("Required argument missing for option: '--store'", "evaluate", "m", "p", "--store")]
    [InlineData("--per-class must be a positive integer, got 'many'", "generate", "raw", "--per-class", "many")]
    [InlineData("--per-class must be a positive integer, got '0'", "generate", "raw", "--per-class=0")]
    public async Task A_wrong_command_line_is_one_error_line_naming_what_is_wrong(string expected, params string[] args)
    {
        // In-process, the program's name is the test host's.
        var run = await Cli.RunAsync(args);
        var result = run with { Stderr = run.Stderr.Replace("testhost", "Planets.Ml", StringComparison.Ordinal) };

        Cli.AssertUserError(result, expected);
        Assert.StartsWith("Error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("--help", "Usage:\n  Planets.Ml [command] [options]")]
    [InlineData("-h", "train <prepared-dir> <model-dir>")]
    public async Task Help_goes_to_stdout_and_exits_0(string option, string expected)
    {
        var result = await Cli.RunOkAsync(option);

        Assert.Contains(expected, result.Stdout.Replace("testhost", "Planets.Ml", StringComparison.Ordinal).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task A_commands_help_lists_its_options_with_their_defaults()
    {
        var result = await Cli.RunOkAsync("train", "--help");

        Assert.Contains("--params <file>", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[default: params.yaml]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--store <dir>", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_suggests_the_commands_and_a_commands_options()
    {
        Assert.Equal("train", (await Cli.RunOkAsync("[suggest:2]", "tr")).Stdout.Trim());
        Assert.Equal(["--help", "--name", "--params", "--store"], (await Cli.RunOkAsync("[suggest:8]", "train --")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Version_prints_the_programs_version_and_exits_0()
    {
        var result = await Cli.RunOkAsync("--version");

        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout);
    }
}
