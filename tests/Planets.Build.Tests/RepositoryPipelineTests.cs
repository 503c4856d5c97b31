using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using Pipeline.Core.LockFiles;

namespace Planets.Build.Tests;

/// <summary>
/// This repository's own pipeline (build.cake, build/, the ML program) run with the real <c>dotnet cake</c> in a copy
/// of the repository, on the generated dataset: what a user gets from a fresh clone.
/// </summary>
public sealed class RepositoryPipelineTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "planets-build-tests", Guid.NewGuid().ToString("N"));

    public RepositoryPipelineTests()
    {
        Directory.CreateDirectory(Path.Combine(root, ".config"));
        foreach (var file in new[] { "build.cake", "cake.config", "params.yaml", ".config/dotnet-tools.json" })
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, file), Path.Combine(root, file));
        }

        // The built pipeline and program, and the sources the stages hash, are shared with the repository, not copied.
        Directory.CreateSymbolicLink(Path.Combine(root, "artifacts"), Path.Combine(RepositoryPaths.Root, "artifacts"));
        Directory.CreateSymbolicLink(Path.Combine(root, "src"), Path.Combine(RepositoryPaths.Root, "src"));
    }

    [Fact]
    public async Task Repro_runs_every_stage_then_skips_them_and_a_new_epoch_count_reruns_train_and_evaluate_only()
    {
        var first = await CakeAsync("--target=Repro");
        var second = await CakeAsync("--target=Repro");
        var paramsPath = Path.Combine(root, "params.yaml");
        await File.WriteAllTextAsync(paramsPath, (await File.ReadAllTextAsync(paramsPath)).Replace("epochs: 5", "epochs: 2", StringComparison.Ordinal));
        var third = await CakeAsync("--target=Repro");

        Assert.True(first.ExitCode == 0, first.Output);
        foreach (var stage in new[] { "generate", "prepare", "train", "evaluate" })
        {
            Assert.Contains($"Running stage '{stage}' (it has not run yet)", first.Output, StringComparison.Ordinal);
            Assert.Contains($"Stage '{stage}' didn't change, skipping", second.Output, StringComparison.Ordinal);
        }

        Assert.True(third.ExitCode == 0, third.Output);
        Assert.Contains("Stage 'prepare' didn't change, skipping", third.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'train' (parameter train.epochs changed: 5 -> 2)", third.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'evaluate' (dependency model modified)", third.Output, StringComparison.Ordinal);

        var lockFile = await new LockFileStore(Path.Combine(root, "pipeline.lock")).ReadAsync(CancellationToken.None);
        Assert.Equal(["evaluate", "generate", "prepare", "train"], lockFile.Stages.Keys);
        using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "evaluation", "metrics.json")));
        Assert.InRange(metrics.RootElement.GetProperty("val_acc").GetDouble(), 0, 1);
        Assert.True(File.Exists(Path.Combine(root, "evaluation", "plots", "confusion_matrix.png")));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private async Task<(int ExitCode, string Output)> CakeAsync(params string[] arguments)
    {
        var result = await Cli.Wrap("dotnet").WithArguments(["cake", .. arguments]).WithWorkingDirectory(root)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return (result.ExitCode, ConsoleText.Plain(result.StandardOutput + result.StandardError));
    }
}
