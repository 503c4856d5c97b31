using Microsoft.Win32.SafeHandles;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;

namespace Pipeline.Storage.Cache;

/// <summary>
/// The content-addressed local cache: each file's bytes stored once under its hash
/// (<c>files/md5/ab/cdef…</c>), folder manifests as objects of their own (<c>….dir</c>).
/// Objects are written through a temporary file and a rename, verified against their name, and made read-only.
/// </summary>
public sealed class ObjectStore
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly ContentHasher hasher;
    private readonly FileSystemFlush? flush;

    /// <summary>Opens (without creating) the cache rooted at <paramref name="root"/>.</summary>
    public ObjectStore(string root, ContentHasher hasher)
    {
        Root = Path.GetFullPath(root);
        this.hasher = hasher;
        flush = OperatingSystem.IsLinux() ? new FileSystemFlush(Root) : null;
    }

    /// <summary>The cache folder.</summary>
    public string Root { get; }

    /// <summary>Where the object for <paramref name="hash"/> lives, whether or not it is there.</summary>
    public string PathOf(ContentHash hash) =>
        Path.Combine(Root, "files", ContentHash.Algorithm, hash.Value[..2], hash.Value[2..]);

    /// <summary>Whether an object is stored for <paramref name="hash"/> (not whether it is intact).</summary>
    public bool Contains(ContentHash hash) => File.Exists(PathOf(hash));

    /// <summary>Every object in the cache, by hash.</summary>
    public IEnumerable<ContentHash> List()
    {
        var folder = Path.Combine(Root, "files", ContentHash.Algorithm);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetFileName(Path.GetDirectoryName(path)) + Path.GetFileName(path))
            .Where(name => !name.Contains(AtomicFile.TemporarySuffix, StringComparison.Ordinal))
            .Select(name => new ContentHash(name));
    }

    /// <summary>The temporary files in the cache: objects being written now, or left by a writer that was killed.</summary>
    public IReadOnlyList<string> ListTemporaryFiles()
    {
        var folder = Path.Combine(Root, "files", ContentHash.Algorithm);
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories)] : [];
    }

    /// <summary>
    /// Removes the temporary files that writers killed mid-write left beside the objects (they are never taken for
    /// objects, but they take space). Call it only while no other process writes to this cache: under the repository lock.
    /// </summary>
    /// <returns>How many files were removed.</returns>
    public int RemoveTemporaryFiles()
    {
        var files = ListTemporaryFiles();
        foreach (var file in files)
        {
            File.Delete(file);
        }

        return files.Count;
    }

    /// <summary>Stores the file at <paramref name="source"/>, which must hash to <paramref name="expected"/>.</summary>
    /// <returns>Whether it was written: false when the cache already held it intact.</returns>
    /// <exception cref="CorruptObjectException">The file changed while it was being stored.</exception>
    public async Task<bool> AddFileAsync(string source, ContentHash expected, CancellationToken cancellationToken)
    {
        if (await IsIntactAsync(expected, cancellationToken))
        {
            return false;
        }

        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await AddAsync(input, expected, cancellationToken);
        return true;
    }

    /// <summary>
    /// Stores the bytes of <paramref name="content"/> under <paramref name="expected"/>, hashing them as they are
    /// written; nothing enters the cache unless the bytes match the hash.
    /// </summary>
    /// <exception cref="CorruptObjectException">The bytes do not hash to <paramref name="expected"/>.</exception>
    public async Task AddAsync(Stream content, ContentHash expected, CancellationToken cancellationToken)
    {
        var commit = await WriteAsync(content, expected, cancellationToken);
        await commit;
    }

    /// <summary>
    /// Writes the bytes of <paramref name="content"/> to a temporary file, hashing them as they are written, and
    /// checks them against <paramref name="expected"/>; the caller can go on with other work while they are committed.
    /// </summary>
    /// <returns>The commit: completes once the bytes are on disk and renamed into the cache (it is already running).</returns>
    /// <exception cref="CorruptObjectException">The bytes do not hash to <paramref name="expected"/>.</exception>
    public async Task<Task> WriteAsync(Stream content, ContentHash expected, CancellationToken cancellationToken)
    {
        var target = PathOf(expected);
        var temporary = AtomicFile.TemporaryPathBeside(target);
        try
        {
            ContentHash actual;
            using (var handle = CreateReadOnly(temporary))
            {
                actual = await FileDigest.CopyToFileAsync(content, handle, cancellationToken);
                if (flush is null)
                {
                    RandomAccess.FlushToDisk(handle);
                }
            }

            if (actual != expected.ObjectDigest)
            {
                throw new CorruptObjectException(expected, $"content hashes to {actual}");
            }
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return CommitAsync(temporary, target);
    }

    // Durable before the rename, so that after a crash the cache holds the whole object or nothing. On Linux the
    // objects written at about the same time share one flush of the file system instead of an fsync each. Not
    // cancellable: a verified object either enters the cache whole or its temporary file is removed.
    private async Task CommitAsync(string temporary, string target)
    {
        try
        {
            if (flush is not null)
            {
                await flush.FlushAsync();
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Stores the file or folder at <paramref name="path"/>, hashed as <paramref name="content"/>, where the cache lacks it.</summary>
    /// <returns>How many objects were written; 0 when the cache held it all intact.</returns>
    /// <exception cref="CorruptObjectException">A file changed since it was hashed.</exception>
    public async Task<int> AddAsync(string path, HashedContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content.Manifest is { } manifest
            ? await AddDirectoryAsync(path, manifest, cancellationToken)
            : await AddFileAsync(path, content.Info.Hash, cancellationToken) ? 1 : 0;
    }

    /// <summary>
    /// Stores a folder: every file the cache lacks (or holds corrupt) first, its manifest last, so a stored manifest
    /// implies stored files.
    /// </summary>
    /// <returns>How many objects were written; 0 when the cache held the whole folder intact.</returns>
    public async Task<int> AddDirectoryAsync(string folder, DirectoryManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var written = 0;
        foreach (var entry in manifest.Entries)
        {
            written += await AddFileAsync(Path.Combine(folder, entry.RelativePath), entry.Hash, cancellationToken) ? 1 : 0;
        }

        return written + (await AddManifestAsync(manifest, cancellationToken) ? 1 : 0);
    }

    /// <summary>Stores a folder manifest as an object named by its hash.</summary>
    /// <returns>Whether it was written: false when the cache already held it intact.</returns>
    public async Task<bool> AddManifestAsync(DirectoryManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var hash = manifest.ToContentInfo().Hash;
        if (await IsIntactAsync(hash, cancellationToken))
        {
            return false;
        }

        await AddAsync(new MemoryStream(manifest.Serialize()), hash, cancellationToken);
        return true;
    }

    /// <summary>Reads and verifies the manifest stored under <paramref name="hash"/>.</summary>
    /// <exception cref="MissingObjectException">No such object is stored.</exception>
    /// <exception cref="CorruptObjectException">The object does not hash to its name.</exception>
    public async Task<DirectoryManifest> ReadManifestAsync(ContentHash hash, CancellationToken cancellationToken)
    {
        await EnsureIntactAsync(hash, cancellationToken);
        var bytes = await File.ReadAllBytesAsync(PathOf(hash), cancellationToken);
        return DirectoryManifest.Deserialize(bytes);
    }

    /// <summary>
    /// Whether the object for <paramref name="hash"/> is stored and its bytes still hash to its name
    /// (read again only when its stat changed since it was last checked).
    /// </summary>
    public async Task<bool> IsIntactAsync(ContentHash hash, CancellationToken cancellationToken)
    {
        var path = PathOf(hash);
        FileStat stat;
        try
        {
            stat = FileStat.Of(path);
        }
        catch (FileNotFoundException)
        {
            return false;
        }

        // Most objects were checked before and are answered from the state database at once; only the others are
        // read, on the thread pool. A queue hop for every object cost a push of small files a tenth of its time.
        var actual = hasher.State.Lookup(Path.GetFullPath(path), stat)
            ?? await Task.Run(() => hasher.HashFile(path, stat, cancellationToken), cancellationToken);
        return actual == hash.ObjectDigest;
    }

    /// <summary>Throws unless the object for <paramref name="hash"/> is stored and intact.</summary>
    /// <exception cref="MissingObjectException">No such object is stored.</exception>
    /// <exception cref="CorruptObjectException">The object does not hash to its name.</exception>
    public async Task EnsureIntactAsync(ContentHash hash, CancellationToken cancellationToken)
    {
        if (!Contains(hash))
        {
            throw new MissingObjectException(hash);
        }

        if (!await IsIntactAsync(hash, cancellationToken))
        {
            throw new CorruptObjectException(hash, "its content no longer matches its hash");
        }
    }

    /// <summary>Throws unless the object and, for a folder, its manifest and every file it lists are stored and intact.</summary>
    /// <exception cref="MissingObjectException">An object is not stored.</exception>
    /// <exception cref="CorruptObjectException">An object does not hash to its name.</exception>
    public async Task EnsureCompleteAsync(ContentHash hash, CancellationToken cancellationToken)
    {
        if (!hash.IsDirectory)
        {
            await EnsureIntactAsync(hash, cancellationToken);
            return;
        }

        var manifest = await ReadManifestAsync(hash, cancellationToken);
        foreach (var entry in manifest.Entries)
        {
            await EnsureIntactAsync(entry.Hash, cancellationToken);
        }
    }

    /// <summary>The size in bytes of the stored object for <paramref name="hash"/>; 0 when it is not stored.</summary>
    public long SizeOf(ContentHash hash)
    {
        var file = new FileInfo(PathOf(hash));
        return file.Exists ? file.Length : 0;
    }

    /// <summary>Removes the object for <paramref name="hash"/>, if stored.</summary>
    public void Remove(ContentHash hash)
    {
        var path = PathOf(hash);
        hasher.State.Forget(path);
        File.Delete(path);
    }

    // Made read-only through the handle that writes it (which may still write), sparing a chmod by path per object.
    private static SafeFileHandle CreateReadOnly(string path)
    {
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(handle, ReadOnly);
        }

        return handle;
    }
}
