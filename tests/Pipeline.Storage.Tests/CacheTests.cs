using Pipeline.Storage.Cache;
using Pipeline.Storage.Objects;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.State;

namespace Pipeline.Storage.Tests;

public sealed class CacheTests : IDisposable
{
    private readonly TempFolder temp = new();
    private readonly ContentHasher hasher = new(StateDatabase.InMemory());
    private readonly FolderObjectDatabase store;

    public CacheTests() => store = new FolderObjectDatabase(temp["cache"], "the local cache", hasher, verifyOnRead: true);

    [Fact]
    public async Task A_stored_file_is_read_only_and_named_by_its_hash()
    {
        var path = temp.Write("model.bin", "weights");
        var hashed = await hasher.HashAsync(path, CancellationToken.None);

        await store.AddFileAsync(path, hashed.Info.Hash, CancellationToken.None);

        var objectPath = store.PathOf(hashed.Info.Hash);
        Assert.EndsWith($"files/md5/{hashed.Info.Hash.Value[..2]}/{hashed.Info.Hash.Value[2..]}", objectPath, StringComparison.Ordinal);
        Assert.Equal("weights", await File.ReadAllTextAsync(objectPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(objectPath));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(objectPath)!, "*.tmp"));
    }

    [Fact]
    public async Task Bytes_that_do_not_match_their_hash_never_enter_the_cache()
    {
        var wrong = new ContentHash("0123456789abcdef0123456789abcdef", ContentHashAlgorithm.Md5);

        await Assert.ThrowsAsync<CorruptObjectException>(
            () => store.AddAsync(new MemoryStream("something else"u8.ToArray()), wrong, CancellationToken.None));

        Assert.False(store.Contains(wrong));
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task A_folder_is_stored_file_by_file_with_its_manifest_as_an_object()
    {
        temp.Write("data/a.txt", "a");
        temp.Write("data/b/c.txt", "c");
        var hashed = await hasher.HashAsync(temp["data"], CancellationToken.None);

        await store.AddDirectoryAsync(temp["data"], hashed.Manifest!, CancellationToken.None);

        Assert.Equal(3, store.List().Count());
        var manifest = await store.ReadManifestAsync(hashed.Info.Hash, CancellationToken.None);
        Assert.Equal(hashed.Manifest!.Entries.ToList(), manifest.Entries.ToList());
    }

    [Theory]
    [InlineData(LinkType.Copy)]
    [InlineData(LinkType.Hardlink)]
    [InlineData(LinkType.Reflink)]
    public async Task Restoring_a_folder_rewrites_only_what_differs_and_removes_strays(LinkType linkType)
    {
        temp.Write("data/keep.txt", "keep");
        temp.Write("data/change.txt", "original");
        var hashed = await hasher.HashAsync(temp["data"], CancellationToken.None);
        await store.AddDirectoryAsync(temp["data"], hashed.Manifest!, CancellationToken.None);
        File.Delete(temp["data/change.txt"]);
        temp.Write("data/change.txt", "edited");
        temp.Write("data/stray.txt", "stray");
        var checkout = new Checkout(store, hasher, [linkType]);

        var written = await checkout.RestoreAsync(hashed.Info.Hash, temp["data"], CancellationToken.None);

        Assert.Equal(1, written);
        Assert.Equal("original", await File.ReadAllTextAsync(temp["data/change.txt"]));
        Assert.False(File.Exists(temp["data/stray.txt"]));
        Assert.Equal(hashed.Info, (await hasher.HashAsync(temp["data"], CancellationToken.None)).Info);
    }

    [Fact]
    public async Task A_corrupted_object_is_detected_and_never_checked_out()
    {
        var path = temp.Write("model.bin", "good weights");
        var hash = (await hasher.HashAsync(path, CancellationToken.None)).Info.Hash;
        await store.AddFileAsync(path, hash, CancellationToken.None);
        File.Delete(path);
        CacheFiles.Corrupt(store.PathOf(hash));
        var checkout = new Checkout(store, hasher, [LinkType.Hardlink]);

        var error = await Assert.ThrowsAsync<CorruptObjectException>(
            () => checkout.RestoreAsync(hash, path, CancellationToken.None));

        Assert.Contains(hash.Value, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(await store.IsIntactAsync(hash, CancellationToken.None));
    }

    [Fact]
    public async Task Objects_stored_at_once_share_flushes_yet_appear_only_whole_and_read_only()
    {
        var contents = Enumerable.Range(0, 200).Select(i => System.Text.Encoding.UTF8.GetBytes($"object {i} " + new string('x', i * 37))).ToList();
        var hashes = contents.Select(c => ContentHash.OfBytes(c, ContentHashAlgorithm.Md5)).ToList();
        var adding = Task.WhenAll(contents.Select((c, i) => Task.Run(() => store.AddAsync(new MemoryStream(c), hashes[i], CancellationToken.None))));

        // Whatever a reader sees while the objects arrive is whole: visible only once renamed into place.
        while (!adding.IsCompleted)
        {
            foreach (var hash in store.List())
            {
                Assert.Equal(hash.ObjectDigest, FileDigest.Of(store.PathOf(hash), hash.Algorithm, CancellationToken.None));
            }
        }

        await adding;
        Assert.Equal(hashes.ToHashSet(), store.List().ToHashSet());
        Assert.All(hashes, h => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(store.PathOf(h))));
        Assert.Empty(Directory.GetFiles(store.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_link_type_the_file_system_lacks_is_not_tried_again_there()
    {
        temp.Write("data/a.txt", "a");
        temp.Write("data/b.txt", "b");
        var hashed = await hasher.HashAsync(temp["data"], CancellationToken.None);
        await store.AddDirectoryAsync(temp["data"], hashed.Manifest!, CancellationToken.None);
        var checkout = new Checkout(store, hasher, [LinkType.Reflink, LinkType.Hardlink]);
        var reflinks = TryReflink(store.PathOf(hashed.Manifest!.Entries[0].Hash), temp["probe"]);

        await checkout.RestoreAsync(hashed.Info.Hash, temp["restored"], CancellationToken.None);

        // A file system without reflinks (ext4) answers the first try with EOPNOTSUPP; the rest go straight to hard links.
        var expected = reflinks ? new[] { LinkType.Reflink, LinkType.Hardlink, LinkType.Copy } : [LinkType.Hardlink, LinkType.Copy];
        Assert.Equal(expected, checkout.LinkTypesFor(temp["restored"]));
        Assert.Equal("a", await File.ReadAllTextAsync(temp["restored/a.txt"]));
    }

    private static bool TryReflink(string source, string target) =>
        Pipeline.Storage.Native.LinuxLinks.TryReflink(source, target) == Pipeline.Storage.Native.LinkOutcome.Linked;

    public void Dispose() => temp.Dispose();
}
