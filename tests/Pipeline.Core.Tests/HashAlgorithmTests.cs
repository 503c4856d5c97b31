using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Maintenance;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;
using Pipeline.Storage.State;

namespace Pipeline.Core.Tests;

public sealed class HashAlgorithmTests : IDisposable
{
    private readonly ScenarioRepo repo = new();

    [Theory]
    [InlineData("md5", "", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("md5", "abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("blake3", "", "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262")]
    [InlineData("blake3", "abc", "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85")]
    [InlineData("xxh128", "", "99aa06d3014798d86001c324468d497f")]
    [InlineData("xxh128", "abc", "06b05ab6733a618578af5f94892f3950")]
    public async Task Each_algorithm_gives_its_published_digest_for_a_file(string name, string content, string expected)
    {
        var path = repo["vector.bin"];
        await File.WriteAllTextAsync(path, content);
        var algorithm = ContentHashAlgorithm.FromName(name);

        var hashed = await new ContentHasher(StateDatabase.InMemory(), algorithm).HashAsync(path, CancellationToken.None);

        Assert.Equal(new ContentHash(expected, algorithm), hashed.Info.Hash);
    }

    [Fact]
    public void Hashes_of_two_algorithms_are_never_equal_and_an_unknown_name_is_refused_with_the_known_ones()
    {
        const string Digits = "0123456789abcdef0123456789abcdef";

        Assert.NotEqual(new ContentHash(Digits, ContentHashAlgorithm.Md5), new ContentHash(Digits, ContentHashAlgorithm.Xxh128));
        Assert.Throws<FormatException>(() => new ContentHash(Digits, ContentHashAlgorithm.Blake3));
        var error = Assert.Throws<FormatException>(() => ContentHashAlgorithm.FromName("sha1"));
        Assert.Equal("'sha1' is not a hash algorithm (expected one of md5, blake3, xxh128)", error.Message);
    }

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
    public async Task The_state_database_keeps_a_files_hash_by_each_algorithm_across_a_reopen()
    {
        var path = Path.GetFullPath(repo["raw/a.txt"]);
        var stat = FileStat.Of(path);
        var state = await StateDatabase.OpenAsync(repo["state.db"], CancellationToken.None);
        var hasher = new ContentHasher(state);
        var md5 = hasher.HashFile(path, stat, ContentHashAlgorithm.Md5, CancellationToken.None);
        var blake3 = hasher.HashFile(path, stat, ContentHashAlgorithm.Blake3, CancellationToken.None);
        await state.SaveAsync(CancellationToken.None);

        var reopened = await StateDatabase.OpenAsync(repo["state.db"], CancellationToken.None);

        Assert.Equal(md5, reopened.Lookup(path, stat, ContentHashAlgorithm.Md5));
        Assert.Equal(blake3, reopened.Lookup(path, stat, ContentHashAlgorithm.Blake3));
        Assert.Null(reopened.Lookup(path, stat, ContentHashAlgorithm.Xxh128));
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
