using Pipeline.Core.Execution;
using Pipeline.Core.Tracking;

namespace Pipeline.Core.Tests;

/// <summary>
/// The cache holds what the lock file records whenever the workspace does: a stage that is skipped as unchanged
/// stores from the workspace whatever of its outputs the cache lost, instead of leaving the lock pointing at nothing.
/// </summary>
public sealed class CacheCommitTests : IDisposable
{
    private readonly ScenarioRepo repo = new();

    [Fact]
    public async Task After_the_cache_is_deleted_Repro_skips_every_stage_and_stores_their_outputs_again()
    {
        await repo.ReproAsync();
        Directory.Delete(repo[".pipeline/cache"], recursive: true);

        var outcomes = await repo.ReproAsync();

        Assert.All(outcomes.Values, outcome => Assert.Equal(StageOutcome.Skipped, outcome));
        Assert.Equal([1, 1, 1], new[] { repo.Runs("prepare"), repo.Runs("train"), repo.Runs("evaluate") });
        Assert.Contains("Stage 'prepare' didn't change, skipping; stored its outputs the cache lacked from the workspace (prepared: 3 objects)", repo.Messages);
        await AssertEverythingCachedAsync();
    }

    [Fact]
    public async Task A_corrupt_cache_object_of_an_unchanged_stage_is_replaced_from_the_workspace()
    {
        await repo.ReproAsync();
        await using (var workspace = await repo.OpenAsync())
        {
            var weights = (await workspace.LockFiles.ReadAsync(CancellationToken.None)).Find("evaluate")!.Outputs.Single().Content.Hash;
            var path = workspace.Cache.PathOf(weights);
            File.SetAttributes(path, FileAttributes.Normal);
            await File.WriteAllTextAsync(path, "bit rot");
        }

        await repo.ReproAsync();

        Assert.Contains("Stage 'evaluate' didn't change, skipping; stored its outputs the cache lacked from the workspace (evaluation/metrics.json: 1 object)", repo.Messages);
        await AssertEverythingCachedAsync();
    }

    [Fact]
    public async Task A_dry_run_says_what_it_would_store()
    {
        await repo.ReproAsync();
        Directory.Delete(repo[".pipeline/cache"], recursive: true);
        await using var workspace = await repo.OpenAsync();

        var plan = await repo.Runner(workspace).PlanAsync(ScenarioRepo.Stages[1], new ReproOptions(), CancellationToken.None);

        Assert.Equal("train: up to date, would skip and store model in the cache from the workspace (the cache lacks it)", plan.Describe());
        Assert.False(Directory.Exists(repo[".pipeline/cache"]));
    }

    [Fact]
    public async Task Commit_stores_what_the_workspace_holds_as_recorded_and_names_what_neither_holds()
    {
        await repo.ReproAsync();
        Directory.Delete(repo[".pipeline/cache"], recursive: true);
        Directory.Delete(repo["model"], recursive: true);
        await using var workspace = await repo.OpenAsync();
        var recorded = await RecordedPath.ReadAllAsync(workspace, CancellationToken.None);

        var result = await new CacheCommit(workspace.WorkTree, workspace.Hasher, workspace.Cache).CommitAsync(recorded.Select(p => p.State), CancellationToken.None);

        Assert.Equal(["evaluation/metrics.json", "prepared"], result.Stored.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["model"], result.Unavailable);
    }

    public void Dispose() => repo.Dispose();

    private async Task AssertEverythingCachedAsync()
    {
        await using var workspace = await repo.OpenAsync();
        foreach (var path in await RecordedPath.ReadAllAsync(workspace, CancellationToken.None))
        {
            await workspace.Cache.EnsureCompleteAsync(path.State.Content.Hash, CancellationToken.None);
        }
    }
}
