using System.Collections.Concurrent;
using Pipeline.Core;
using Pipeline.Core.Workspace;
using Pipeline.Remotes.Progress;
using Pipeline.Storage.Cache;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;

namespace Pipeline.Remotes;

/// <summary>
/// Moves cache objects between the local cache and a remote: push, fetch, status and remote garbage collection.
/// Objects move <see cref="TransferOptions.Jobs"/> at a time; what the other side has is skipped; a folder's manifest
/// moves only after all its files, so a manifest on either side implies its files; a fetched object enters the cache
/// only through <see cref="ObjectStore.WriteAsync"/>, which verifies it against its hash and commits it atomically.
/// An interrupted transfer leaves only whole objects behind, so running it again completes it.
/// </summary>
/// <param name="workspace">The repository whose cache objects move.</param>
/// <param name="remote">The remote.</param>
/// <param name="options">Jobs and retries.</param>
/// <param name="progress">Hears about each object moved.</param>
public sealed class RemoteTransfer(PipelineWorkspace workspace, IRemote remote, TransferOptions options, ITransferProgress progress)
{
    // Fetched objects per job that may wait for the cache's flush at once, which bounds their temporary files.
    private const int CommitsPerJob = 4;
    private readonly ObjectStore cache = workspace.Cache;

    /// <summary>Sends the objects of <paramref name="roots"/> (folders with their files) that the remote lacks.</summary>
    /// <exception cref="RemoteException">The remote failed as a whole (unreachable, credentials, no bucket).</exception>
    public async Task<TransferSummary> PushAsync(IEnumerable<ContentHash> roots, CancellationToken cancellationToken)
    {
        var objects = await ObjectSet.ExpandAsync(cache, roots, cancellationToken);
        var present = await PresentOnRemoteAsync(objects.All, cancellationToken);
        var files = objects.Files.Keys.Where(h => !present.Contains(h)).ToList();
        var folders = objects.Folders.Where(f => !present.Contains(f.Hash)).ToList();
        progress.Begin("Pushing", files.Count + folders.Count, files.Sum(objects.SizeOf));
        try
        {
            var sent = await MoveAllAsync(files, UploadAsync, Direction.Push, options.Jobs, cancellationToken);
            var complete = present.Concat(sent.Done).ToHashSet();

            // A manifest on the remote promises its files: send it only when every file is there.
            var ready = folders.Where(f => f.Files.All(complete.Contains)).Select(f => f.Hash).ToHashSet();
            var manifests = await MoveAllAsync([.. ready], UploadAsync, Direction.Push, options.Jobs, cancellationToken);
            var held = folders.Where(f => !ready.Contains(f.Hash)).Select(f => new TransferFailure(f.Hash, "not sent, as some of its files could not be"));
            return Summarise([sent, manifests], present.Count, [.. objects.Unreadable, .. held]);
        }
        finally
        {
            progress.Finish();
        }
    }

    /// <summary>
    /// Brings into the local cache the objects of <paramref name="roots"/> it lacks: folder manifests first, then the
    /// files they list. This is the fetch behind <c>Pull</c>, <c>Fetch</c> and <c>Repro --pull</c>.
    /// </summary>
    /// <exception cref="RemoteException">The remote failed as a whole (unreachable, credentials, no bucket).</exception>
    public async Task<TransferSummary> FetchAsync(IEnumerable<ContentHash> roots, CancellationToken cancellationToken)
    {
        var distinct = roots.Distinct().ToList();
        var manifests = await FetchManifestsAsync(distinct, cancellationToken);
        var objects = await ObjectSet.ExpandAsync(cache, distinct, cancellationToken);
        var files = objects.Files.Keys.Where(h => !cache.Contains(h)).ToList();
        progress.Begin("Fetching", files.Count, files.Sum(objects.SizeOf));
        try
        {
            var fetched = await FetchAllAsync(files, cancellationToken);
            var there = objects.Files.Count - files.Count + objects.Folders.Count - manifests.Done.Count;
            var unreadable = objects.Unreadable.Where(u => !manifests.Failed.Any(f => f.Hash == u.Hash));
            return Summarise([manifests, fetched], there, [.. unreadable]);
        }
        finally
        {
            progress.Finish();
        }
    }

    /// <summary>Which objects of <paramref name="roots"/> are only local, only on the remote, in both, or nowhere.</summary>
    /// <exception cref="RemoteException">The remote failed as a whole.</exception>
    public async Task<RemoteStatusReport> StatusAsync(IEnumerable<ContentHash> roots, CancellationToken cancellationToken)
    {
        var distinct = roots.Distinct().ToList();

        // A folder's files are known only from its manifest: bring the (small, verified) manifests the cache lacks.
        await FetchManifestsAsync(distinct, cancellationToken);
        var objects = await ObjectSet.ExpandAsync(cache, distinct, cancellationToken);
        var present = await PresentOnRemoteAsync(objects.All, cancellationToken);
        var local = objects.All.Where(cache.Contains).ToHashSet();
        return new RemoteStatusReport(
            local.Count(present.Contains),
            [.. local.Where(h => !present.Contains(h)).OrderBy(h => h.Value, StringComparer.Ordinal)],
            [.. present.Where(h => !local.Contains(h)).OrderBy(h => h.Value, StringComparer.Ordinal)],
            [.. objects.All.Where(h => !local.Contains(h) && !present.Contains(h)).OrderBy(h => h.Value, StringComparer.Ordinal)]);
    }

    /// <summary>Removes from the remote every object that <paramref name="roots"/> do not refer to.</summary>
    /// <exception cref="PipelineException">A referenced folder's manifest is corrupt, so its files cannot be told from garbage.</exception>
    public async Task<RemoteGcResult> CollectGarbageAsync(IEnumerable<ContentHash> roots, bool dryRun, CancellationToken cancellationToken)
    {
        var distinct = roots.Distinct().ToList();
        await FetchManifestsAsync(distinct, cancellationToken);
        var objects = await ObjectSet.ExpandAsync(cache, distinct, cancellationToken);
        if (objects.Unreadable.FirstOrDefault(u => cache.Contains(u.Hash)) is { } corrupt)
        {
            throw new PipelineException($"RemoteGc: {corrupt}; nothing was removed, because the files of that folder cannot be told from garbage");
        }

        var referenced = objects.All.ToHashSet();
        var stored = await options.Retry.RunAsync(token => remote.ListAsync(null, token), cancellationToken);
        var garbage = stored.Where(h => !referenced.Contains(h)).OrderBy(h => h.Value, StringComparer.Ordinal).ToList();
        if (!dryRun)
        {
            foreach (var batch in garbage.Chunk(ExistenceCheck.PageSize))
            {
                await options.Retry.RunAsync(token => remote.DeleteAsync(batch, token), cancellationToken);
            }
        }

        return new RemoteGcResult(garbage, stored.Count - garbage.Count);
    }

    private async Task<MoveResult> FetchManifestsAsync(IEnumerable<ContentHash> roots, CancellationToken cancellationToken)
    {
        var missing = new List<ContentHash>();
        foreach (var folder in roots.Where(h => h.IsDirectory))
        {
            if (!await cache.IsIntactAsync(folder, cancellationToken))
            {
                missing.Add(folder);
            }
        }

        return await FetchAllAsync(missing, cancellationToken);
    }

    private async Task<long> UploadAsync(ContentHash hash, CancellationToken cancellationToken)
    {
        // A corrupt local object must never reach the remote, where every clone would fetch it.
        await cache.EnsureIntactAsync(hash, cancellationToken);
        await options.Retry.RunAsync(token => remote.UploadAsync(hash, cache.PathOf(hash), token), cancellationToken);
        return cache.SizeOf(hash);
    }

    // A download holds one of the job slots only until its object is written and verified; the job then goes on to
    // the next download while the object waits for the cache's next flush, shared by every object written meanwhile.
    // The transfer ends only when every object waiting so is committed (or its temporary file removed).
    private async Task<MoveResult> FetchAllAsync(IReadOnlyList<ContentHash> hashes, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(options.Jobs);
        return await MoveAllAsync(
            hashes, (hash, token) => DownloadAsync(hash, slots, token), Direction.Fetch, options.Jobs * CommitsPerJob, cancellationToken);
    }

    private async Task<long> DownloadAsync(ContentHash hash, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        var commit = Task.CompletedTask;
        await slots.WaitAsync(cancellationToken);
        try
        {
            var found = await options.Retry.RunAsync(
                token => remote.DownloadAsync(hash, async stream => commit = await cache.WriteAsync(stream, hash, token), token), cancellationToken);
            if (!found)
            {
                throw new MissingObjectException(hash);
            }
        }
        finally
        {
            slots.Release();
        }

        await commit;

        // WriteAsync verified these bytes against the hash; remembering that spares the checkout reading them again.
        var path = cache.PathOf(hash);
        var stat = FileStat.Of(path);
        workspace.Hasher.State.Record(path, stat, hash.ObjectDigest);
        return stat.Size;
    }

    private async Task<HashSet<ContentHash>> PresentOnRemoteAsync(IReadOnlyCollection<ContentHash> wanted, CancellationToken cancellationToken)
    {
        if (wanted.Count == 0)
        {
            return [];
        }

        var method = ExistenceMethod.PerObject;
        if (!ExistenceCheck.AskEachWithoutSampling(wanted.Count, options.Jobs))
        {
            var sample = await options.Retry.RunAsync(token => remote.ListAsync("00", token), cancellationToken);
            method = ExistenceCheck.Choose(wanted.Count, sample.Count, options.Jobs);
        }

        var found = method switch
        {
            ExistenceMethod.PerObject => await AskEachAsync(wanted, cancellationToken),
            ExistenceMethod.ListAll => await options.Retry.RunAsync(token => remote.ListAsync(null, token), cancellationToken),
            _ => await ListByPrefixAsync(cancellationToken),
        };
        return [.. found.Where(wanted.Contains)];
    }

    private async Task<IReadOnlyCollection<ContentHash>> AskEachAsync(IReadOnlyCollection<ContentHash> wanted, CancellationToken cancellationToken)
    {
        var found = new ConcurrentBag<ContentHash>();
        await Parallel.ForEachAsync(wanted, ParallelJobs(cancellationToken), async (hash, token) =>
        {
            if (await options.Retry.RunAsync(t => remote.ExistsAsync(hash, t), token))
            {
                found.Add(hash);
            }
        });
        return found;
    }

    private async Task<IReadOnlyCollection<ContentHash>> ListByPrefixAsync(CancellationToken cancellationToken)
    {
        var found = new ConcurrentBag<ContentHash>();
        var prefixes = Enumerable.Range(0, ExistenceCheck.Prefixes).Select(i => i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        await Parallel.ForEachAsync(prefixes, ParallelJobs(cancellationToken), async (prefix, token) =>
        {
            foreach (var hash in await options.Retry.RunAsync(t => remote.ListAsync(prefix, t), token))
            {
                found.Add(hash);
            }
        });
        return found;
    }

    // Per-object problems (missing, corrupt) are collected so that one bad object does not stop the rest; a
    // RemoteException means the remote itself failed, and stops everything at once.
    private async Task<MoveResult> MoveAllAsync(
        IReadOnlyList<ContentHash> hashes, Func<ContentHash, CancellationToken, Task<long>> move, Direction direction, int parallel, CancellationToken cancellationToken)
    {
        var done = new ConcurrentBag<ContentHash>();
        var failed = new ConcurrentBag<TransferFailure>();
        long bytes = 0;
        await Parallel.ForEachAsync(hashes, ParallelJobs(cancellationToken, parallel), async (hash, token) =>
        {
            try
            {
                var moved = await move(hash, token);
                Interlocked.Add(ref bytes, moved);
                done.Add(hash);
                progress.FileDone(moved);
            }
            catch (Exception e) when (Reason(e, direction) is { } reason)
            {
                failed.Add(new TransferFailure(hash, reason));
                progress.FileDone(0);
            }
        });
        return new MoveResult([.. done], [.. failed.OrderBy(f => f.Hash.Value, StringComparer.Ordinal)], bytes);
    }

    private static string? Reason(Exception e, Direction direction) => (e, direction) switch
    {
        (MissingObjectException, Direction.Push) => "not in the local cache, so it was not pushed",
        (CorruptObjectException, Direction.Push) => "the local cache copy is corrupt, so it was not pushed",
        (MissingObjectException, Direction.Fetch) => "not on the remote",
        (CorruptObjectException corrupt, Direction.Fetch) =>
            $"the remote copy is corrupt ({corrupt.Message[(corrupt.Message.LastIndexOf("corrupt: ", StringComparison.Ordinal) + 9)..]}); it was not stored in the cache",
        _ => null,
    };

    private ParallelOptions ParallelJobs(CancellationToken cancellationToken, int? parallel = null) =>
        new() { MaxDegreeOfParallelism = parallel ?? options.Jobs, CancellationToken = cancellationToken };

    private static TransferSummary Summarise(IEnumerable<MoveResult> moves, int alreadyThere, IEnumerable<TransferFailure> otherFailures)
    {
        var results = moves.ToList();
        return new TransferSummary(
            results.Sum(r => r.Done.Count),
            results.Sum(r => r.Bytes),
            alreadyThere,
            [.. results.SelectMany(r => r.Failed).Concat(otherFailures).DistinctBy(f => f.Hash)]);
    }

    private enum Direction
    {
        Push,
        Fetch,
    }

    private sealed record MoveResult(IReadOnlyList<ContentHash> Done, IReadOnlyList<TransferFailure> Failed, long Bytes);
}
