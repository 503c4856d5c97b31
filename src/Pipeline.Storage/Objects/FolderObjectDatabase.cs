using Microsoft.Win32.SafeHandles;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;

namespace Pipeline.Storage.Objects;

/// <summary>
/// An object database in a folder: the local cache, and a folder remote (a local disk or a network share), the same
/// class on different roots. Each file's bytes are stored once under their hash (<c>files/md5/ab/cdef…</c>, see <see cref="ObjectLayout"/>), folder
/// manifests as objects of their own (<c>….dir</c>). Objects are written through a temporary file and a rename,
/// verified against their name as they are written, made read-only, and durable before they appear.
/// </summary>
public sealed class FolderObjectDatabase : IObjectDatabase
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly ContentHasher hasher;
    private readonly bool verifyOnRead;
    private readonly FileSystemFlush? flush;

    /// <summary>Opens (without creating) the object database rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The folder.</param>
    /// <param name="name">The database in messages, such as <c>the local cache</c>.</param>
    /// <param name="hasher">
    /// Hashes objects whose integrity is in question; its state database remembers objects found intact, so that
    /// checking one again costs a stat.
    /// </param>
    /// <param name="verifyOnRead">
    /// Whether a read first makes sure the object is intact: true for the cache, whose objects are read to be pushed
    /// (a corrupt one must never reach a remote) and whose state database makes the check cheap; a folder remote's
    /// reads go into a database that verifies as it writes.
    /// </param>
    public FolderObjectDatabase(string root, string name, ContentHasher hasher, bool verifyOnRead)
    {
        Root = Path.GetFullPath(root);
        Name = name;
        this.hasher = hasher;
        this.verifyOnRead = verifyOnRead;
        flush = OperatingSystem.IsLinux() ? new FileSystemFlush(Root) : null;
    }

    /// <summary>The folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsLocal => true;

    /// <summary>Where the object for <paramref name="hash"/> lives, whether or not it is there.</summary>
    public string PathOf(ContentHash hash) => Path.Combine(Root, ObjectLayout.KeyOf(hash));

    /// <summary>Whether an object is stored for <paramref name="hash"/> (not whether it is intact).</summary>
    public bool Contains(ContentHash hash) => File.Exists(PathOf(hash));

    /// <summary>Every object, by hash.</summary>
    public IEnumerable<ContentHash> List() => ListObjects(null).Select(o => o.Hash);

    /// <inheritdoc />
    public Task<IReadOnlyCollection<StoredObject>> ListAsync(string? shard, CancellationToken cancellationToken) =>
        GuardAsync("list objects", () => Task.FromResult<IReadOnlyCollection<StoredObject>>([.. ListObjects(shard)]));

    /// <inheritdoc />
    /// <remarks>
    /// The digest comes from the state database; with <c>verifyOnRead</c> (the cache) an object it does not know is hashed,
    /// so that a corrupt copy is found and replaced.
    /// </remarks>
    public async Task<StoredObject?> StatAsync(ContentHash hash, CancellationToken cancellationToken)
    {
        var path = PathOf(hash);
        if (StatOf(path) is not { } stat)
        {
            return null;
        }

        var digest = hasher.State.Lookup(path, stat, hash.Algorithm)
            ?? (verifyOnRead ? await Task.Run(() => hasher.HashFile(path, stat, hash.Algorithm, cancellationToken), cancellationToken) : null);
        return new StoredObject(hash, stat.Size, digest);
    }

    /// <inheritdoc />
    public Task<bool> ReadAsync(ContentHash hash, Func<ObjectContent, Task> receive, CancellationToken cancellationToken) =>
        GuardAsync($"read {ObjectLayout.KeyOf(hash)}", async () =>
        {
            ArgumentNullException.ThrowIfNull(receive);
            var path = PathOf(hash);
            if (StatOf(path) is not { } stat)
            {
                return false;
            }

            if (verifyOnRead && !await IsIntactAsync(hash, path, stat, cancellationToken))
            {
                throw new CorruptObjectException(hash, "its content no longer matches its hash");
            }

            await using var content = ObjectContent.OfFile(path, stat.Size);
            await receive(content);
            return true;
        });

    /// <inheritdoc />
    public Task<Task> WriteAsync(ContentHash hash, ObjectContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return GuardAsync($"write {ObjectLayout.KeyOf(hash)}", () => WriteAsync(content.Stream, hash, cancellationToken));
    }

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken) =>
        GuardAsync("delete objects", () =>
        {
            ArgumentNullException.ThrowIfNull(hashes);
            foreach (var hash in hashes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Remove(hash);
            }

            return Task.FromResult(true);
        });

    /// <summary>The temporary files: objects being written now, or left by a writer that was killed.</summary>
    public IReadOnlyList<string> ListTemporaryFiles()
    {
        var folder = Path.Combine(Root, ObjectLayout.ObjectsFolder);
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories)] : [];
    }

    /// <summary>
    /// Removes the temporary files that writers killed mid-write left beside the objects (they are never taken for
    /// objects, but they take space). Call it only while no other process writes here: under the repository lock.
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
    /// <returns>Whether it was written: false when the database already held it intact.</returns>
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
    /// written; nothing enters the database unless the bytes match the hash.
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
    /// <returns>The commit: completes once the bytes are on disk and renamed into place (it is already running).</returns>
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
                actual = await FileDigest.CopyToFileAsync(content, handle, expected.Algorithm, cancellationToken);
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

        return CommitAsync(temporary, target, expected);
    }

    /// <summary>Stores the file or folder at <paramref name="path"/>, hashed as <paramref name="content"/>, where the database lacks it.</summary>
    /// <returns>How many objects were written; 0 when the database held it all intact.</returns>
    /// <exception cref="CorruptObjectException">A file changed since it was hashed.</exception>
    public async Task<int> AddAsync(string path, HashedContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content.Manifest is { } manifest
            ? await AddDirectoryAsync(path, manifest, cancellationToken)
            : await AddFileAsync(path, content.Info.Hash, cancellationToken) ? 1 : 0;
    }

    /// <summary>
    /// Stores a folder: every file the database lacks (or holds corrupt) first, its manifest last, so a stored
    /// manifest implies stored files.
    /// </summary>
    /// <returns>How many objects were written; 0 when the database held the whole folder intact.</returns>
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
    /// <returns>Whether it was written: false when the database already held it intact.</returns>
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
        return DirectoryManifest.Deserialize(bytes, hash.Algorithm);
    }

    /// <summary>
    /// Whether the object for <paramref name="hash"/> is stored and its bytes still hash to its name
    /// (read again only when its stat changed since it was last checked).
    /// </summary>
    public async Task<bool> IsIntactAsync(ContentHash hash, CancellationToken cancellationToken)
    {
        var path = PathOf(hash);
        return StatOf(path) is { } stat && await IsIntactAsync(hash, path, stat, cancellationToken);
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

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    // Most objects were checked before and are answered from the state database at once; only the others are read,
    // on the thread pool. A queue hop for every object cost a push of small files a tenth of its time.
    private async Task<bool> IsIntactAsync(ContentHash hash, string path, FileStat stat, CancellationToken cancellationToken)
    {
        var actual = hasher.State.Lookup(path, stat, hash.Algorithm)
            ?? await Task.Run(() => hasher.HashFile(path, stat, hash.Algorithm, cancellationToken), cancellationToken);
        return actual == hash.ObjectDigest;
    }

    private IEnumerable<StoredObject> ListObjects(string? shard)
    {
        var objects = Path.Combine(Root, ObjectLayout.ObjectsFolder);
        var folders = shard is null
            ? Directory.Exists(objects) ? Directory.EnumerateDirectories(objects).SelectMany(Directory.EnumerateDirectories) : []
            : [Path.Combine(objects, shard)];
        return folders.Where(Directory.Exists).SelectMany(folder => new DirectoryInfo(folder).EnumerateFiles()
            .Select(file => (Hash: ObjectLayout.TryParse(Path.GetFileName(Path.GetDirectoryName(folder))!, Path.GetFileName(folder), file.Name), File: file))
            .Where(o => o.Hash is not null)
            .Select(o => SizeOf(o.File) is { } size ? new StoredObject(o.Hash!.Value, size) : (StoredObject?)null)
            .OfType<StoredObject>());
    }

    // Null when there is no such file.
    private static FileStat? StatOf(string path)
    {
        try
        {
            return FileStat.Of(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    // Null for an object removed since the folder was listed.
    private static long? SizeOf(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    // Durable before the rename, so that after a crash the database holds the whole object or nothing. On Linux the
    // objects written at about the same time share one flush of the file system instead of an fsync each. Not
    // cancellable: a verified object either enters whole or its temporary file is removed. The bytes were verified
    // as they were written: the state database learns so, sparing a checkout reading them again.
    private async Task CommitAsync(string temporary, string target, ContentHash hash)
    {
        try
        {
            if (flush is not null)
            {
                await flush.FlushAsync();
            }

            File.Move(temporary, target, overwrite: true);
            hasher.State.Record(target, FileStat.Of(target), hash.ObjectDigest);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // A network share drops out and comes back: I/O errors are worth a retry, missing permissions are not. Missing and
    // corrupt objects are the caller's to handle, object by object.
    private async Task<T> GuardAsync<T>(string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ObjectDatabaseException($"{Name}: cannot {what}: permission denied in {Root}", isTransient: false, e);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new ObjectDatabaseException($"{Name}: cannot {what}: {e.Message}", isTransient: true, e);
        }
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
