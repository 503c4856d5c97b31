using System.Text.Json;
using Pipeline.Core.LockFiles;

namespace Planets.Build.Tests;

/// <summary>
/// This repository's own pipeline (build.cake, build/, the ML program) run with the real <c>dotnet cake</c> in a copy
/// of the repository, on the generated dataset: what a user gets from a fresh clone.
/// </summary>
public sealed class RepositoryPipelineTests : IDisposable
{
    private readonly RepositoryCopy repository = new();

    [Fact]
    public async Task Repro_runs_every_stage_then_skips_them_and_a_new_epoch_count_reruns_train_and_the_stages_after_it_only()
    {
        var first = await repository.CakeAsync("--target=Repro");
        var second = await repository.CakeAsync("--target=Repro");
        await repository.EditParamsAsync("epochs: 5", "epochs: 2");
        var third = await repository.CakeAsync("--target=Repro");

        Assert.True(first.ExitCode == 0, first.Output);
        foreach (var stage in new[] { "generate", "prepare", "train", "evaluate", "reference" })
        {
            Assert.Contains($"Running stage '{stage}' (it has not run yet)", first.Output, StringComparison.Ordinal);
            Assert.Contains($"Stage '{stage}' didn't change, skipping", second.Output, StringComparison.Ordinal);
        }

        Assert.True(third.ExitCode == 0, third.Output);
        Assert.Contains("Stage 'prepare' didn't change, skipping", third.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'train' (parameter train.epochs changed: 5 -> 2)", third.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'evaluate' (dependency model modified)", third.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'reference' (dependency model modified)", third.Output, StringComparison.Ordinal);

        var lockFile = await new LockFileStore(Path.Combine(repository.Root, "pipeline.lock")).ReadAsync(CancellationToken.None);
        Assert.Equal(["evaluate", "generate", "prepare", "reference", "train"], lockFile.Stages.Keys);
        using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(repository.Root, "evaluation", "metrics.json")));
        Assert.InRange(metrics.RootElement.GetProperty("val_acc").GetDouble(), 0, 1);
        Assert.True(File.Exists(Path.Combine(repository.Root, "evaluation", "plots", "confusion_matrix.png")));
        Assert.True(new FileInfo(Path.Combine(repository.Root, "monitoring", "reference.jsonl")).Length > 0);
    }

    [Fact]
    public async Task Serve_builds_the_service_serves_the_model_and_SIGTERM_stops_the_service_with_the_target()
    {
        await repository.EditParamsAsync("epochs: 5", "epochs: 1");
        var trained = await repository.CakeAsync("--stage=train");
        Assert.True(trained.ExitCode == 0, trained.Output);
        var url = $"http://127.0.0.1:{TcpPorts.Free()}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        using var cake = CakeProcess.Start(repository.Root, "--target=Serve", $"--urls={url}");
        // The target builds the service first, with the engine's projects it ships its prediction log through: on a CI
        // machine running the other test assemblies beside this one, that build alone can take minutes.
        await cake.WaitUntilAnswersAsync(http, $"{url}/readyz", TimeSpan.FromMinutes(8));
        await cake.TerminateAsync();

        Assert.True(cake.ExitCode == 0, cake.Output);
        Assert.Null(await CakeProcess.StatusAsync(http, $"{url}/livez"));
    }

    public void Dispose() => repository.Dispose();
}
