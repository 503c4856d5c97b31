using Pipeline.Core.Execution;
using Pipeline.Core.Runs;

namespace Pipeline.Core.Tests;

public sealed class RunCacheTests : IDisposable
{
    private const string Epochs5 = "prepare:\n  seed: 77\ntrain:\n  epochs: 5\n  lr: 0.0001\n";
    private const string Epochs6 = "prepare:\n  seed: 77\ntrain:\n  epochs: 6\n  lr: 0.0001\n";
    private readonly ScenarioRepo repo = new();

    [Fact]
    public async Task Switching_a_parameter_back_restores_the_earlier_run_without_running()
    {
        await repo.ReproAsync();
        var weights = await File.ReadAllTextAsync(repo["model/weights"]);
        repo.Write("params.yaml", Epochs6);
        await repo.ReproAsync();
        repo.Write("params.yaml", Epochs5);

        var outcomes = await repo.ReproAsync();

        Assert.Equal(StageOutcome.RestoredFromRunCache, outcomes["train"]);
        Assert.Equal(StageOutcome.RestoredFromRunCache, outcomes["evaluate"]);
        Assert.Equal(2, repo.Runs("train"));
        Assert.Equal(weights, await File.ReadAllTextAsync(repo["model/weights"]));
        Assert.Contains(repo.Messages, m => m.StartsWith(
            "Stage 'train' restored from the run-cache: an earlier run with the same inputs (parameter train.epochs changed: 6 -> 5)", StringComparison.Ordinal));
        Assert.All((await repo.ReproAsync()).Values, outcome => Assert.Equal(StageOutcome.Skipped, outcome));
    }

    [Fact]
    public async Task An_entry_whose_object_is_corrupt_is_never_used()
    {
        await repo.ReproAsync();
        string corrupted;
        await using (var workspace = await repo.OpenAsync())
        {
            var hash = (await workspace.Hasher.HashAsync(repo["model/weights"], CancellationToken.None)).Info.Hash;
            corrupted = workspace.Cache.PathOf(hash);
        }

        repo.Write("params.yaml", Epochs6);
        await repo.ReproAsync();
        CacheFiles.Corrupt(corrupted);
        repo.Write("params.yaml", Epochs5);

        var outcomes = await repo.ReproAsync();

        Assert.Equal(StageOutcome.Ran, outcomes["train"]);
        Assert.Equal(3, repo.Runs("train"));
        Assert.Contains(repo.Warnings, w => w.Contains("run-cache entry cannot be used", StringComparison.Ordinal));
        Assert.DoesNotContain("tampered", await File.ReadAllTextAsync(repo["model/weights"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_successful_run_is_recorded_under_the_stage_by_its_inputs()
    {
        await repo.ReproAsync();

        await using var workspace = await repo.OpenAsync();
        var entries = await new RunCache(workspace.RunCacheFolder, workspace.Cache).ListAsync(CancellationToken.None);
        var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);

        Assert.Equal(["evaluate", "prepare", "train"], entries.Select(e => e.Stage).Order(StringComparer.Ordinal));
        var train = entries.Single(e => e.Stage == "train");
        Assert.Equal(repo[$".pipeline/runs/train/{RunCache.KeyOf(lockFile.Find("train")!)}"], train.File);
        Assert.Equal(lockFile.Find("train")!.Outputs.ToList(), train.Run.Outputs.ToList());
    }

    [Fact]
    public async Task A_plan_says_what_would_run_and_why_and_changes_nothing()
    {
        await repo.ReproAsync();
        repo.Write("params.yaml", Epochs6);
        var lockBefore = await File.ReadAllTextAsync(repo["pipeline.lock"]);
        await using var workspace = await repo.OpenAsync();
        var runner = repo.Runner(workspace);

        var prepare = await runner.PlanAsync(ScenarioRepo.Stages[0], new ReproOptions(), CancellationToken.None);
        var train = await runner.PlanAsync(ScenarioRepo.Stages[1], new ReproOptions(), CancellationToken.None);
        var evaluate = (await runner.PlanAsync(ScenarioRepo.Stages[2], new ReproOptions(), CancellationToken.None)).After(["train"]);

        Assert.Equal("prepare: up to date, would skip", prepare.Describe());
        Assert.Equal("train: would run (parameter train.epochs changed: 5 -> 6)", train.Describe());
        Assert.Equal("evaluate: up to date now; would run if running 'train' first changes its dependencies", evaluate.Describe());
        Assert.Equal(1, repo.Runs("train"));
        Assert.Equal(lockBefore, await File.ReadAllTextAsync(repo["pipeline.lock"]));
    }

    public void Dispose() => repo.Dispose();
}
