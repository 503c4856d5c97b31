using Pipeline.Storage.Hashing;

namespace Pipeline.Storage.Objects;

/// <summary>A folder's manifest object, the file objects it lists, and the manifest's verified bytes.</summary>
/// <param name="Hash">The manifest's hash (<c>….dir</c>).</param>
/// <param name="Files">The files it lists.</param>
/// <param name="Manifest">The manifest's bytes, which hash to <paramref name="Hash"/>.</param>
public sealed record FolderObjects(ContentHash Hash, IReadOnlyList<ContentHash> Files, ReadOnlyMemory<byte> Manifest);

/// <summary>A folder whose manifest no database could give, so its files are unknown.</summary>
/// <param name="Hash">The manifest's hash.</param>
/// <param name="Corrupt">Whether a database holds it corrupt (rather than none holding it at all).</param>
/// <param name="Reason">Why, as a clause.</param>
public sealed record UnreadableFolder(ContentHash Hash, bool Corrupt, string Reason)
{
    /// <summary>As a transfer reports it.</summary>
    public TransferFailure ToFailure() => new(Hash, Reason);
}

/// <summary>
/// Every object some roots refer to: files, and folders with the files their manifests list.
/// </summary>
/// <param name="Files">File objects with their sizes (null where unknown: a root that is a file).</param>
/// <param name="Folders">Folders whose manifest was read.</param>
/// <param name="Unreadable">Folders whose manifest could not be read.</param>
public sealed record ObjectSet(IReadOnlyDictionary<ContentHash, long?> Files, IReadOnlyList<FolderObjects> Folders, IReadOnlyList<UnreadableFolder> Unreadable)
{
    private readonly Dictionary<ContentHash, long> manifestSizes = Folders.ToDictionary(f => f.Hash, f => (long)f.Manifest.Length);

    /// <summary>Every object: files, readable manifests and unreadable ones.</summary>
    public IReadOnlyCollection<ContentHash> All { get; } =
        [.. Files.Keys.Concat(Folders.Select(f => f.Hash)).Concat(Unreadable.Select(u => u.Hash)).Distinct()];

    /// <summary>The size of an object, where known: a file's from its folder's manifest, a manifest's from its bytes.</summary>
    public long? SizeOf(ContentHash hash) =>
        Files.TryGetValue(hash, out var size) ? size : manifestSizes.TryGetValue(hash, out var manifest) ? manifest : null;
}

/// <summary>Expands roots into the objects they refer to, reading folder manifests from any object database.</summary>
public static class ObjectGraph
{
    /// <summary>
    /// Expands <paramref name="roots"/>: a folder through its manifest, read from the first of
    /// <paramref name="sources"/> that holds it intact (the local one first, where it is cheapest).
    /// </summary>
    /// <exception cref="ObjectDatabaseException">A database failed as a whole, after <paramref name="retry"/>.</exception>
    public static async Task<ObjectSet> ExpandAsync(
        IEnumerable<ContentHash> roots, IReadOnlyList<IObjectDatabase> sources, RetryPolicy retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(retry);
        var files = new Dictionary<ContentHash, long?>();
        var folders = new List<FolderObjects>();
        var unreadable = new List<UnreadableFolder>();
        foreach (var root in roots.Distinct())
        {
            if (!root.IsDirectory)
            {
                files.TryAdd(root, null);
                continue;
            }

            var (folder, entries, problem) = await ReadFolderAsync(root, sources, retry, cancellationToken);
            if (folder is null)
            {
                unreadable.Add(problem!);
                continue;
            }

            folders.Add(folder);
            foreach (var entry in entries)
            {
                files[entry.Hash] = entry.Size;
            }
        }

        return new ObjectSet(files, folders, unreadable);
    }

    // The entries come back beside the folder so that the manifest is parsed once: their sizes are what ExpandAsync needs.
    private static async Task<(FolderObjects? Folder, IReadOnlyList<ManifestEntry> Entries, UnreadableFolder? Problem)> ReadFolderAsync(
        ContentHash hash, IReadOnlyList<IObjectDatabase> sources, RetryPolicy retry, CancellationToken cancellationToken)
    {
        UnreadableFolder? problem = null;
        foreach (var source in sources.OrderBy(s => s.IsLocal ? 0 : 1))
        {
            try
            {
                var bytes = await retry.RunAsync(token => ReadAllAsync(source, hash, token), cancellationToken);
                if (bytes is null)
                {
                    continue;
                }

                var actual = ContentHash.OfBytes(bytes, hash.Algorithm);
                if (actual != hash.ObjectDigest)
                {
                    problem = new UnreadableFolder(hash, true, $"folder manifest corrupt in {source.Name} (content hashes to {actual})");
                    continue;
                }

                var manifest = DirectoryManifest.Deserialize(bytes, hash.Algorithm);
                return (new FolderObjects(hash, [.. manifest.Entries.Select(e => e.Hash)], bytes), manifest.Entries, null);
            }
            catch (Exception e) when (e is CorruptObjectException or InvalidDataException)
            {
                problem = new UnreadableFolder(hash, true, $"folder manifest corrupt in {source.Name}");
            }
        }

        return (null, [], problem ?? new UnreadableFolder(hash, false, "folder manifest missing"));
    }

    private static async Task<byte[]?> ReadAllAsync(IObjectDatabase source, ContentHash hash, CancellationToken cancellationToken)
    {
        byte[]? bytes = null;
        var found = await source.ReadAsync(hash, async content =>
        {
            using var buffer = new MemoryStream();
            await content.Stream.CopyToAsync(buffer, cancellationToken);
            bytes = buffer.ToArray();
        }, cancellationToken);
        return found ? bytes : null;
    }
}
