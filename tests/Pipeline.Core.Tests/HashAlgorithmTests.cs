using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Maintenance;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.Tests;

public sealed class HashAlgorithmTests : IDisposable
{
    private readonly ScenarioRepo repo = new();

    [Fact]
    public async Task A_blake3_repository_records_its_algorithm_and_caches_objects_in_a_folder_of_their_own()
    {
        repo.HashAlgorithm = ContentHashAlgorithm.Blake3;

        await repo.ReproAsync();
        var again = await repo.ReproAsync();

        Assert.All(again.Values, outcome => Assert.Equal(StageOutcome.Skipped, outcome));
        var lockText = await File.ReadAllTextAsync(repo["pipeline.lock"]);
        Assert.DoesNotContain("hash: md5", lockText, StringComparison.Ordinal);
        Assert.Contains("hash: blake3", lockText, StringComparison.Ordinal);
        await using var workspace = await repo.OpenAsync();
        var objects = workspace.Cache.List();
        Assert.NotEmpty(objects);
        Assert.All(objects, hash => Assert.Equal(ContentHashAlgorithm.Blake3, hash.Algorithm));
        Assert.All(objects, hash => Assert.Contains("/files/blake3/", workspace.Cache.PathOf(hash), StringComparison.Ordinal));
        var weights = (await workspace.LockFiles.ReadAsync(CancellationToken.None)).Find("train")!.Outputs.Single().Content.Hash;
        var manifest = await workspace.Cache.ReadManifestAsync(weights, CancellationToken.None);
        Assert.Equal(ContentHashAlgorithm.Blake3, manifest.Algorithm);
        Assert.Contains("\"blake3\":", System.Text.Encoding.UTF8.GetString(manifest.Serialize()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switching_the_algorithm_runs_nothing_again_and_what_runs_next_is_recorded_with_the_new_one()
    {
        await repo.ReproAsync();
        var before = await File.ReadAllTextAsync(repo["pipeline.lock"]);

        repo.HashAlgorithm = ContentHashAlgorithm.Blake3;
        var switched = await repo.ReproAsync();
        Assert.All(switched.Values, outcome => Assert.Equal(StageOutcome.Skipped, outcome));
        Assert.Equal(before, await File.ReadAllTextAsync(repo["pipeline.lock"]));

        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 6\n  lr: 0.0001\n");
        var changed = await repo.ReproAsync();
        Assert.Equal((StageOutcome.Skipped, StageOutcome.Ran, StageOutcome.Ran), (changed["prepare"], changed["train"], changed["evaluate"]));
        var lockFile = await ReadLockAsync();
        Assert.Equal(ContentHashAlgorithm.Md5, lockFile.Find("prepare")!.Outputs.Single().Content.Hash.Algorithm);
        Assert.All(
            lockFile.Find("train")!.Dependencies.Concat(lockFile.Find("train")!.Outputs).Concat(lockFile.Find("evaluate")!.Dependencies),
            path => Assert.Equal(ContentHashAlgorithm.Blake3, path.Content.Hash.Algorithm));

        // Back to md5: the blake3 records still hold, and outputs of both algorithms come back from the cache.
        repo.HashAlgorithm = ContentHashAlgorithm.Md5;
        Directory.Delete(repo["prepared"], recursive: true);
        Directory.Delete(repo["model"], recursive: true);
        var restored = await repo.ReproAsync();
        Assert.Equal((StageOutcome.Restored, StageOutcome.Restored, StageOutcome.Skipped), (restored["prepare"], restored["train"], restored["evaluate"]));
        Assert.Equal([1, 2, 2], new[] { repo.Runs("prepare"), repo.Runs("train"), repo.Runs("evaluate") });
    }

    [Fact]
    public async Task Gc_keeps_the_objects_of_every_algorithm_the_workspace_refers_to()
    {
        await repo.ReproAsync();
        repo.HashAlgorithm = ContentHashAlgorithm.Xxh128;
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 6\n  lr: 0.0001\n");
        await repo.ReproAsync();

        await using var workspace = await repo.OpenAsync();
        var result = await new GarbageCollector(workspace, new GitRepository(repo.Root)).CollectAsync(new GcOptions(new ReferenceScope()), CancellationToken.None);

        Assert.Contains(result.Removed, hash => hash.Algorithm == ContentHashAlgorithm.Md5); // the 5-epoch model
        foreach (var path in (await ReadLockAsync()).Stages.Values.SelectMany(s => s.Outputs))
        {
            await workspace.Cache.EnsureCompleteAsync(path.Content.Hash, CancellationToken.None);
        }

        Assert.Equal(
            [ContentHashAlgorithm.Md5, ContentHashAlgorithm.Xxh128],
            workspace.Cache.List().Select(h => h.Algorithm).Distinct().OrderBy(a => a.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_lock_file_naming_an_unknown_algorithm_is_refused_by_name()
    {
        repo.Write("pipeline.lock", "schema: '1'\nstages:\n  train:\n    cmd: x\n    deps:\n    - path: a\n      hash: sha1\n      sha1: 0123\n      size: 1\n    params: {}\n    outs: []\n");

        var error = await Assert.ThrowsAsync<PipelineException>(() => new LockFileStore(repo["pipeline.lock"]).ReadAsync(CancellationToken.None));

        Assert.Contains("pipeline.lock", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sha1' is not a hash algorithm (expected one of md5, blake3, xxh128)", error.Message, StringComparison.Ordinal);
    }

    private async Task<LockFile> ReadLockAsync()
    {
        await using var workspace = await repo.OpenAsync();
        return await workspace.LockFiles.ReadAsync(CancellationToken.None);
    }

    public void Dispose() => repo.Dispose();
}
