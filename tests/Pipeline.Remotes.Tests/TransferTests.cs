using Amazon.S3.Model;
using Pipeline.Core.Tracking;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes.Tests;

/// <summary>Push, fetch, status and remote gc, each against the folder remote and a real S3-compatible server.</summary>
[Collection("s3")]
public sealed class TransferTests(S3Fixture s3) : IDisposable
{
    private readonly string folderRemotes = Path.Combine(Path.GetTempPath(), "pipeline-remotes-tests", "remote-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Kinds => ["folder", "s3"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Push_then_pull_into_a_fresh_clone_restores_identical_content(string kind)
    {
        using var repo = await TestRepo.WithDataAsync();
        var definition = await NewRemoteAsync(kind);
        repo.Configure(definition);
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);

        var pushed = await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));
        var again = await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));

        Assert.Equal((40 + 2 + 1 + 2, 0), (pushed.Transferred, pushed.Failed.Count)); // files, model files, notes, two manifests
        Assert.Equal((0, pushed.Transferred), (again.Transferred, again.AlreadyThere));

        using var clone = repo.CloneCommitted();
        var fetched = await clone.WithTransferAsync(remote, (t, _, roots) => t.FetchAsync(roots, CancellationToken.None));
        await using (var workspace = await clone.OpenAsync())
        {
            var checkout = await new WorkspaceCheckout(workspace).RunAsync(CancellationToken.None);
            Assert.Empty(checkout.Failed);
        }

        Assert.Equal((pushed.Transferred, 0), (fetched.Transferred, fetched.Failed.Count));
        Assert.Equal(repo.Snapshot("data", "notes.txt", "model"), clone.Snapshot("data", "notes.txt", "model"));
        var status = await clone.WithTransferAsync(remote, (t, _, roots) => t.StatusAsync(roots, CancellationToken.None));
        Assert.Equal((pushed.Transferred, 0, 0, 0), (status.InSync, status.LocalOnly.Count, status.RemoteOnly.Count, status.Missing.Count));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_remote_object_corrupted_by_hand_is_detected_on_pull_and_never_enters_the_cache(string kind)
    {
        using var repo = await TestRepo.WithDataAsync(5);
        var definition = await NewRemoteAsync(kind);
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);
        await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));
        var victim = (await PointerFile.ReadAsync(repo.Root, "notes.txt.ptr", CancellationToken.None)).Tracked.Content.Hash;
        await OverwriteOnRemoteAsync(kind, definition, victim, "tampered");

        using var clone = repo.CloneCommitted();
        var fetched = await clone.WithTransferAsync(remote, (t, _, roots) => t.FetchAsync(roots, CancellationToken.None));

        var failure = Assert.Single(fetched.Failed);
        Assert.Equal(victim, failure.Hash);
        Assert.StartsWith($"files/md5/{victim.Value[..2]}/{victim.Value[2..]}: the copy in {definition} is corrupt (content hashes to ", failure.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("; it was not stored in the local cache", failure.ToString(), StringComparison.Ordinal);
        await using var workspace = await clone.OpenAsync();
        Assert.False(workspace.Cache.Contains(victim));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(workspace.Cache.PathOf(victim))!, "*.tmp"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Status_tells_local_only_from_remote_only_and_remote_gc_removes_what_nothing_refers_to(string kind)
    {
        using var repo = await TestRepo.WithDataAsync(6);
        var definition = await NewRemoteAsync(kind);
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);
        await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));

        // notes.txt changes: its new object is local only, its old one is now referenced by nothing.
        repo.Write("notes.txt", "edited notes\n");
        await using (var workspace = await repo.OpenAsync())
        {
            await new TrackedData(workspace).AddAsync("notes.txt", [], CancellationToken.None);
        }

        var status = await repo.WithTransferAsync(remote, (t, _, roots) => t.StatusAsync(roots, CancellationToken.None));
        var dryRun = await repo.WithTransferAsync(remote, (t, _, roots) => t.CollectGarbageAsync(roots, dryRun: true, CancellationToken.None));
        var gc = await repo.WithTransferAsync(remote, (t, _, roots) => t.CollectGarbageAsync(roots, dryRun: false, CancellationToken.None));
        var after = (await remote.ListAsync(null, CancellationToken.None)).Select(o => o.Hash).ToList();

        Assert.Equal((1, 0, 0), (status.LocalOnly.Count, status.RemoteOnly.Count, status.Missing.Count));
        Assert.Equal(dryRun.Removed, gc.Removed);
        var removed = Assert.Single(gc.Removed).Hash;
        Assert.DoesNotContain(removed, after);
        Assert.Equal(gc.Kept, after.Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_remote_copy_corrupted_by_hand_is_found_from_the_listing_reported_by_status_and_replaced_by_push(string kind)
    {
        using var repo = await TestRepo.WithDataAsync(6);
        var definition = await NewRemoteAsync(kind);
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);
        await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));
        ManifestEntry victim;
        await using (var workspace = await repo.OpenAsync())
        {
            var folder = (await PointerFile.ReadAsync(repo.Root, "data.ptr", CancellationToken.None)).Tracked.Content.Hash;
            victim = (await workspace.Cache.ReadManifestAsync(folder, CancellationToken.None)).Entries[2];
        }

        // On S3 the same size with other bytes (the ETag tells); a folder remote is told by the size alone.
        var original = await File.ReadAllTextAsync(repo[Path.Combine("data", victim.RelativePath)]);
        await OverwriteOnRemoteAsync(kind, definition, victim.Hash, kind == "s3" ? original.ToUpperInvariant() : original + "!");
        var status = await repo.WithTransferAsync(remote, (t, _, roots) => t.StatusAsync(roots, CancellationToken.None));
        var pushed = await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));
        var after = await repo.WithTransferAsync(remote, (t, _, roots) => t.StatusAsync(roots, CancellationToken.None));

        Assert.Equal([victim.Hash], status.Corrupt);
        Assert.Equal((1, 1, 0), (pushed.Transferred, pushed.Replaced, pushed.Failed.Count));
        Assert.Empty(after.Corrupt);
        using var clone = repo.CloneCommitted();
        var fetched = await clone.WithTransferAsync(remote, (t, _, roots) => t.FetchAsync(roots, CancellationToken.None));
        Assert.Empty(fetched.Failed);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_repository_that_moved_to_blake3_moves_and_checks_the_objects_of_both_algorithms(string kind)
    {
        using var repo = await TestRepo.WithDataAsync(8);
        repo.HashAlgorithm = ContentHashAlgorithm.Blake3;
        repo.Write("model/weights.bin", "retrained " + Guid.NewGuid());
        await using (var workspace = await repo.OpenAsync())
        {
            await repo.RecordOutputAsync(workspace, "model");
        }

        var definition = await NewRemoteAsync(kind);
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);
        var trip = await repo.RoundTripAsync(remote);
        using var clone = trip.Cloned;

        // An S3 ETag (an MD5) vouches for md5 objects only: blake3 ones are in sync, not taken for corrupt.
        Assert.Equal((8 + 1 + 1 + 2 + 1, 0), (trip.Pushed.Transferred, trip.Pushed.Failed.Count));
        Assert.Equal((trip.Pushed.Transferred, 0, 0), (trip.Status.InSync, trip.Status.Corrupt.Count, trip.Status.LocalOnly.Count));
        Assert.Equal((trip.Pushed.Transferred, 0, 0), (trip.Fetched.Transferred, trip.Fetched.Failed.Count, trip.Checkout.Failed.Count));
        Assert.Equal(repo.Snapshot("data", "notes.txt", "model"), clone.Snapshot("data", "notes.txt", "model"));
        var stored = await remote.ListAsync(null, CancellationToken.None);
        Assert.Equal((3, 10), (stored.Count(o => o.Hash.Algorithm == ContentHashAlgorithm.Blake3), stored.Count(o => o.Hash.Algorithm == ContentHashAlgorithm.Md5)));
        var byShard = await Task.WhenAll(ObjectLayout.ShardsOf(ContentHashAlgorithm.Blake3).Select(shard => remote.ListAsync(shard, CancellationToken.None)));
        Assert.Equal(3, byShard.Sum(objects => objects.Count));
    }

    [Fact]
    public async Task A_folder_manifest_is_pushed_only_after_all_its_files()
    {
        using var repo = await TestRepo.WithDataAsync(8);
        var definition = await NewRemoteAsync("folder");
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);
        ContentHash folder, lost;
        await using (var workspace = await repo.OpenAsync())
        {
            folder = (await PointerFile.ReadAsync(repo.Root, "data.ptr", CancellationToken.None)).Tracked.Content.Hash;
            lost = (await workspace.Cache.ReadManifestAsync(folder, CancellationToken.None)).Entries[3].Hash;
            File.Delete(workspace.Cache.PathOf(lost));
        }

        var pushed = await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));

        Assert.Equal(new[] { lost, folder }.OrderBy(h => h.Value, StringComparer.Ordinal), pushed.Failed.Select(f => f.Hash).OrderBy(h => h.Value, StringComparer.Ordinal));
        Assert.Contains("not in the local cache", pushed.DescribeFailures(), StringComparison.Ordinal);
        Assert.Null(await remote.StatAsync(folder, CancellationToken.None));
        Assert.Equal(8 - 1 + 2 + 1 + 1, (await remote.ListAsync(null, CancellationToken.None)).Count); // the other files, model, its manifest, notes
    }

    [Fact]
    public async Task Transient_failures_are_retried_until_the_transfer_completes()
    {
        using var repo = await TestRepo.WithDataAsync(10);
        var definition = await NewRemoteAsync("folder");
        using var remote = new FlakyRemote(TestRepo.Kinds.Open(definition, repo.Root), failuresPerObject: 2);

        var pushed = await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));

        Assert.Equal((15, 0), (pushed.Transferred, pushed.Failed.Count));
        Assert.True(remote.Failures >= 30);
    }

    public void Dispose()
    {
        if (Directory.Exists(folderRemotes))
        {
            Directory.Delete(folderRemotes, recursive: true);
        }
    }

    private async Task<RemoteDefinition> NewRemoteAsync(string kind) =>
        kind == "s3" ? await s3.NewRemoteAsync() : new RemoteDefinition("storage", Path.Combine(folderRemotes, Guid.NewGuid().ToString("N")));

    private async Task OverwriteOnRemoteAsync(string kind, RemoteDefinition definition, ContentHash hash, string content)
    {
        if (kind == "folder")
        {
            var path = Path.Combine(definition.Url, ObjectLayout.KeyOf(hash));
            File.SetAttributes(path, FileAttributes.Normal);
            await File.WriteAllTextAsync(path, content);
            return;
        }

        var (bucket, prefix) = S3Fixture.Location(definition);
        using var client = s3.Client();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"{prefix}/{ObjectLayout.KeyOf(hash)}", ContentBody = content });
    }

    /// <summary>A remote whose writes fail the first times for each object, as a throttling server does.</summary>
    private sealed class FlakyRemote(IObjectDatabase inner, int failuresPerObject) : IObjectDatabase
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<ContentHash, int> attempts = new();
        private int failures;

        public int Failures => failures;

        public string Name => inner.Name;

        public bool IsLocal => inner.IsLocal;

        public Task<IReadOnlyCollection<StoredObject>> ListAsync(string? prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<StoredObject?> StatAsync(ContentHash hash, CancellationToken cancellationToken) => inner.StatAsync(hash, cancellationToken);

        public Task<Task> WriteAsync(ContentHash hash, ObjectContent content, CancellationToken cancellationToken)
        {
            if (attempts.AddOrUpdate(hash, 1, (_, n) => n + 1) <= failuresPerObject)
            {
                Interlocked.Increment(ref failures);
                throw new ObjectDatabaseException("503 SlowDown", isTransient: true, new IOException("slow down"));
            }

            return inner.WriteAsync(hash, content, cancellationToken);
        }

        public Task<bool> ReadAsync(ContentHash hash, Func<ObjectContent, Task> receive, CancellationToken cancellationToken) => inner.ReadAsync(hash, receive, cancellationToken);

        public Task DeleteAsync(IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken) => inner.DeleteAsync(hashes, cancellationToken);

        public void Dispose() => inner.Dispose();
    }
}
