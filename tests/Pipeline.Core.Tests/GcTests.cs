using Pipeline.Core.Git;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Runs;
using Pipeline.Core.Tracking;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.Tests;

public sealed class GcTests : IDisposable
{
    private readonly ScenarioRepo repo = new();

    [Fact]
    public async Task With_all_branches_gc_keeps_what_another_branch_refers_to_and_without_it_removes_it()
    {
        var (experiment, experimentSize) = await CommitTwoBranchesAsync();

        var keptAll = await CollectAsync(new GcOptions(new ReferenceScope(AllBranches: true)));
        var dryRun = await CollectAsync(new GcOptions(new ReferenceScope(), DryRun: true));
        var collected = await CollectAsync(new GcOptions(new ReferenceScope()));

        Assert.Empty(keptAll.Removed);
        Assert.Equal(2, keptAll.RevisionsRead);
        Assert.Equal(collected.Removed, dryRun.Removed);
        Assert.Contains(experiment, collected.Removed);
        Assert.True(collected.BytesFreed >= experimentSize);
        Assert.Equal(2, collected.RunCacheEntriesRemoved); // the experiment's train and evaluate runs
        await using var workspace = await repo.OpenAsync();
        Assert.False(workspace.Cache.Contains(experiment));
        var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);
        foreach (var output in lockFile.Stages.Values.SelectMany(s => s.Outputs))
        {
            await workspace.Cache.EnsureCompleteAsync(output.Content.Hash, CancellationToken.None);
        }

        var runs = await new RunCache(workspace.RunCacheFolder, workspace.Cache).ListAsync(CancellationToken.None);
        Assert.DoesNotContain(runs, r => r.Run.Parameters.GetValueOrDefault("train.epochs")?.ToString() == "9");
    }

    [Fact]
    public async Task Tags_and_all_commits_keep_what_a_deleted_branch_referred_to()
    {
        var (experiment, _) = await CommitTwoBranchesAsync();
        repo.Git("tag", "-a", "-m", "kept", "v1", "experiment");
        repo.Git("branch", "--quiet", "-D", "experiment");

        var byBranches = await CollectAsync(new GcOptions(new ReferenceScope(AllBranches: true), DryRun: true));
        var byTags = await CollectAsync(new GcOptions(new ReferenceScope(AllTags: true), DryRun: true));
        var byCommits = await CollectAsync(new GcOptions(new ReferenceScope(AllCommits: true), DryRun: true));

        Assert.Contains(experiment, byBranches.Removed);
        Assert.Empty(byTags.Removed);
        Assert.Empty(byCommits.Removed);
        Assert.Equal(2, byCommits.RevisionsRead);
    }

    [Fact]
    public async Task Data_tracked_by_a_pointer_file_and_the_files_of_its_folder_are_kept()
    {
        repo.Write("data/raw/a.txt", "alpha");
        repo.Write("data/raw/b.txt", "beta");
        await using (var workspace = await repo.OpenAsync())
        {
            await new TrackedData(workspace).AddAsync("data/raw", ScenarioRepo.Stages, CancellationToken.None);
        }

        var result = await CollectAsync(new GcOptions(new ReferenceScope()));

        Assert.Empty(result.Removed);
        Assert.Equal(3, result.Kept);
    }

    [Fact]
    public async Task Gc_removes_the_temporary_files_a_killed_transfer_left_in_the_cache_and_a_dry_run_only_counts_them()
    {
        await repo.ReproAsync();
        string left;
        await using (var workspace = await repo.OpenAsync())
        {
            var kept = workspace.Cache.List().First();
            left = workspace.Cache.PathOf(kept) + $".{Guid.NewGuid():N}.tmp";
            File.WriteAllText(left, "half an object");
        }

        var dryRun = await CollectAsync(new GcOptions(new ReferenceScope(), DryRun: true));
        Assert.Equal(1, dryRun.TemporaryFilesRemoved);
        Assert.True(File.Exists(left));

        var collected = await CollectAsync(new GcOptions(new ReferenceScope()));
        Assert.Equal(1, collected.TemporaryFilesRemoved);
        Assert.False(File.Exists(left));
        Assert.Empty(collected.Removed);
    }

    private async Task<(ContentHash Weights, long Size)> CommitTwoBranchesAsync()
    {
        repo.Git("init", "--quiet");
        await repo.ReproAsync();
        TestGit.Commit(repo.Root, "main", "params.yaml", "pipeline.lock");
        repo.Git("checkout", "--quiet", "-b", "experiment");
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 9\n  lr: 0.0001\n");
        await repo.ReproAsync();
        TestGit.Commit(repo.Root, "experiment", "params.yaml", "pipeline.lock");
        repo.Git("checkout", "--quiet", "main");
        await using var workspace = await repo.OpenAsync();
        var weights = await workspace.Hasher.HashAsync(repo["model/weights"], CancellationToken.None);
        return (weights.Info.Hash, weights.Info.Size);
    }

    private async Task<GcResult> CollectAsync(GcOptions options)
    {
        await using var workspace = await repo.OpenAsync();
        return await new GarbageCollector(workspace, new GitRepository(repo.Root)).CollectAsync(options, CancellationToken.None);
    }

    public void Dispose() => repo.Dispose();
}
