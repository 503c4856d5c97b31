using Pipeline.Core.LockFiles;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

namespace Pipeline.Core.Tracking;

/// <summary>
/// Keeps the cache holding what the lock file and pointer files record, as DVC's commit does: the objects of a path
/// whose workspace content matches its record are stored from the workspace where the cache lacks them. A cache that
/// was deleted, never filled on this machine, or lost objects to a Pull that refused corrupt ones is refilled without
/// running anything, and Push then finds every object the workspace holds.
/// </summary>
/// <param name="workTree">Where the recorded paths are.</param>
/// <param name="hasher">Hashes them, through the state database.</param>
/// <param name="cache">The cache the objects are stored in.</param>
public sealed class CacheCommit(WorkTree workTree, ContentHasher hasher, FolderObjectDatabase cache)
{
    /// <summary>Whether the cache holds every object of <paramref name="path"/>'s recorded content, intact.</summary>
    public async Task<bool> IsCachedAsync(PathState path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            await cache.EnsureCompleteAsync(path.Content.Hash, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException or InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stores from the workspace the objects of <paramref name="paths"/> that the cache lacks or holds corrupt, for
    /// each path whose workspace content is the recorded one.
    /// </summary>
    /// <returns>The paths stored, and those neither the cache nor the workspace holds as recorded.</returns>
    public async Task<CommitResult> CommitAsync(IEnumerable<PathState> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var stored = new List<StoredPath>();
        var unavailable = new List<string>();
        foreach (var path in paths)
        {
            if (await IsCachedAsync(path, cancellationToken))
            {
                continue;
            }

            var full = workTree.Resolve(path.Path);
            var hashed = workTree.Exists(path.Path) ? await hasher.HashAsync(full, path.Content.Hash.Algorithm, cancellationToken) : null;
            if (hashed?.Info.Hash != path.Content.Hash)
            {
                unavailable.Add(path.Path);
                continue;
            }

            stored.Add(new StoredPath(path.Path, await cache.AddAsync(full, hashed, cancellationToken)));
        }

        await hasher.SaveStateAsync(cancellationToken);
        return new CommitResult(stored, unavailable);
    }
}

/// <summary>A path whose objects were stored in the cache from the workspace.</summary>
/// <param name="Path">The path.</param>
/// <param name="Objects">How many objects were written.</param>
public sealed record StoredPath(string Path, int Objects);

/// <summary>What a commit stored, and what it could not.</summary>
/// <param name="Stored">The paths stored from the workspace.</param>
/// <param name="Unavailable">Paths the cache lacks and whose workspace content differs from the record (or is missing).</param>
public sealed record CommitResult(IReadOnlyList<StoredPath> Stored, IReadOnlyList<string> Unavailable);
