using Pipeline.Storage.Cache;
using Pipeline.Storage.Hashing;

namespace Pipeline.Remotes;

/// <summary>A folder's manifest object and the file objects it lists.</summary>
/// <param name="Hash">The manifest's hash (<c>….dir</c>).</param>
/// <param name="Files">The files it lists.</param>
internal sealed record FolderObjects(ContentHash Hash, IReadOnlyList<ContentHash> Files);

/// <summary>
/// Every object some roots refer to: files, and folders with the files their manifests list, read from the local
/// cache. A folder whose manifest the cache lacks (or holds corrupt) is listed as unreadable; its files are unknown.
/// </summary>
/// <param name="Files">File objects with their sizes (0 where unknown).</param>
/// <param name="Folders">Folder manifests the cache holds.</param>
/// <param name="Unreadable">Folders whose manifest cannot be read, with why.</param>
internal sealed record ObjectSet(IReadOnlyDictionary<ContentHash, long> Files, IReadOnlyList<FolderObjects> Folders, IReadOnlyList<TransferFailure> Unreadable)
{
    /// <summary>Every object: files, readable manifests and unreadable ones.</summary>
    public IReadOnlyCollection<ContentHash> All { get; } =
        [.. Files.Keys.Concat(Folders.Select(f => f.Hash)).Concat(Unreadable.Select(u => u.Hash)).Distinct()];

    /// <summary>The size of a file object, where known.</summary>
    public long SizeOf(ContentHash hash) => Files.GetValueOrDefault(hash);

    /// <summary>Expands <paramref name="roots"/> through the manifests in <paramref name="cache"/>.</summary>
    public static async Task<ObjectSet> ExpandAsync(ObjectStore cache, IEnumerable<ContentHash> roots, CancellationToken cancellationToken)
    {
        var files = new Dictionary<ContentHash, long>();
        var folders = new List<FolderObjects>();
        var unreadable = new List<TransferFailure>();
        foreach (var root in roots.Distinct())
        {
            if (!root.IsDirectory)
            {
                files.TryAdd(root, cache.SizeOf(root));
                continue;
            }

            try
            {
                var manifest = await cache.ReadManifestAsync(root, cancellationToken);
                folders.Add(new FolderObjects(root, [.. manifest.Entries.Select(e => e.Hash)]));
                foreach (var entry in manifest.Entries)
                {
                    files.TryAdd(entry.Hash, entry.Size);
                }
            }
            catch (Exception e) when (e is MissingObjectException or CorruptObjectException or InvalidDataException)
            {
                var why = e is MissingObjectException ? "folder manifest missing" : "folder manifest corrupt in the local cache";
                unreadable.Add(new TransferFailure(root, why));
            }
        }

        return new ObjectSet(files, folders, unreadable);
    }
}
