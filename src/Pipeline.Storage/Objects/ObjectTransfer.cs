using System.Collections.Concurrent;
using Pipeline.Storage.Hashing;

namespace Pipeline.Storage.Objects;

/// <summary>
/// Moves, compares and collects objects between any two object databases, as dvc-data's <c>transfer</c> and
/// <c>gc</c> do: a push is a transfer from the cache to a remote, a fetch one from a remote to the cache.
/// Objects move <see cref="TransferOptions.Jobs"/> at a time; what the destination has is skipped; a folder's
/// manifest moves only after all its files, so a manifest in a database implies its files. Every object is verified
/// on the way (by a source that checks what it reads, or by a destination that checks what it writes), and an
/// interrupted transfer leaves only whole objects behind, so running it again completes it.
/// </summary>
/// <param name="options">Jobs and retries.</param>
/// <param name="progress">Hears about each object moved.</param>
public sealed class ObjectTransfer(TransferOptions options, ITransferProgress progress)
{
    // Objects per job that may wait for a destination's flush at once, which bounds their temporary files.
    private const int CommitsPerJob = 4;

    /// <summary>
    /// Copies to <paramref name="destination"/> the objects of <paramref name="roots"/> (folders with their files)
    /// that it lacks, from <paramref name="source"/>.
    /// </summary>
    /// <param name="source">Where the objects are.</param>
    /// <param name="destination">Where they go.</param>
    /// <param name="roots">Files and folders to copy.</param>
    /// <param name="operation">What the progress shows, such as <c>Pushing</c>.</param>
    /// <param name="cancellationToken">Stops the transfer; objects already committed stay.</param>
    /// <exception cref="ObjectDatabaseException">A database failed as a whole (unreachable, credentials, no bucket).</exception>
    public async Task<TransferSummary> TransferAsync(
        IObjectDatabase source, IObjectDatabase destination, IEnumerable<ContentHash> roots, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var objects = await ObjectGraph.ExpandAsync(roots, [source, destination], options.Retry, cancellationToken);
        var held = await FindAsync(destination, objects, cancellationToken);
        var present = held.Intact;
        var files = objects.Files.Keys.Where(h => !present.Contains(h)).ToList();
        var folders = objects.Folders.Where(f => !present.Contains(f.Hash)).ToList();
        progress.Begin(operation, files.Count + folders.Count, files.Sum(h => objects.SizeOf(h) ?? 0));
        try
        {
            var copied = await CopyAllAsync(source, destination, files, cancellationToken);
            var complete = present.Concat(copied.Done).ToHashSet();

            // A manifest promises its files: it goes only where every file is, from the bytes read while expanding.
            var ready = folders.Where(f => f.Files.All(complete.Contains)).ToDictionary(f => f.Hash);
            var manifests = await MoveAllAsync(
                [.. ready.Keys], (hash, token) => WriteManifestAsync(destination, ready[hash], token), source, destination, options.Jobs, cancellationToken);
            var waiting = folders.Where(f => !ready.ContainsKey(f.Hash)).Select(f => new TransferFailure(f.Hash, "not copied, as some of its files could not be"));
            var replaced = held.Corrupt.Count(h => copied.Contains(h) || manifests.Contains(h));
            return Summarise([copied, manifests], present.Count, replaced, [.. objects.Unreadable.Select(u => u.ToFailure()), .. waiting]);
        }
        finally
        {
            progress.Finish();
        }
    }

    /// <summary>Which objects of <paramref name="roots"/> are in <paramref name="local"/> only, in <paramref name="remote"/> only, in both, or in neither.</summary>
    /// <exception cref="ObjectDatabaseException">A database failed as a whole.</exception>
    public async Task<RemoteStatusReport> CompareAsync(IObjectDatabase local, IObjectDatabase remote, IEnumerable<ContentHash> roots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        var objects = await ObjectGraph.ExpandAsync(roots, [local, remote], options.Retry, cancellationToken);
        var inRemote = await FindAsync(remote, objects, cancellationToken);
        var inLocal = (await FindAsync(local, objects, cancellationToken)).Intact;
        return new RemoteStatusReport(
            inLocal.Count(inRemote.Intact.Contains),
            Sorted(inLocal.Where(h => !inRemote.Intact.Contains(h))),
            Sorted(inRemote.Intact.Where(h => !inLocal.Contains(h))),
            Sorted(objects.All.Where(h => !inLocal.Contains(h) && !inRemote.Intact.Contains(h))))
        {
            Corrupt = Sorted(inRemote.Corrupt),
        };
    }

    /// <summary>Removes from <paramref name="database"/> every object not in <paramref name="keep"/> (or, in a dry run, lists them).</summary>
    /// <exception cref="ObjectDatabaseException">The database failed as a whole.</exception>
    public async Task<SweepResult> SweepAsync(IObjectDatabase database, IReadOnlySet<ContentHash> keep, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(keep);
        var stored = await options.Retry.RunAsync(token => database.ListAsync(null, token), cancellationToken);
        var garbage = stored.Where(o => !keep.Contains(o.Hash)).OrderBy(o => o.Hash.Value, StringComparer.Ordinal).ToList();
        if (!dryRun)
        {
            foreach (var batch in garbage.Select(o => o.Hash).Chunk(ExistenceCheck.PageSize))
            {
                await options.Retry.RunAsync(token => database.DeleteAsync(batch, token), cancellationToken);
            }
        }

        return new SweepResult(garbage, stored.Count - garbage.Count);
    }

    /// <summary>
    /// Which objects of <paramref name="objects"/> <paramref name="database"/> holds, told intact from corrupt by what
    /// it says of them without a download (size, and a digest where it knows one). It is asked the cheapest way: object by
    /// object where that costs no round trip, else by the method <see cref="ExistenceCheck"/> counts cheapest.
    /// </summary>
    /// <exception cref="ObjectDatabaseException">The database failed as a whole.</exception>
    public async Task<HeldObjects> FindAsync(IObjectDatabase database, ObjectSet objects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(objects);
        var stored = await StatAllAsync(database, objects.All, cancellationToken);
        var corrupt = stored.Where(o => o.IsCorrupt(objects.SizeOf(o.Hash))).Select(o => o.Hash).ToHashSet();
        return new HeldObjects(stored.Select(o => o.Hash).Where(h => !corrupt.Contains(h)).ToHashSet(), corrupt);
    }

    private async Task<IReadOnlyCollection<StoredObject>> StatAllAsync(IObjectDatabase database, IReadOnlyCollection<ContentHash> wanted, CancellationToken cancellationToken)
    {
        if (wanted.Count == 0)
        {
            return [];
        }

        if (database.IsLocal)
        {
            var held = new List<StoredObject>();
            foreach (var hash in wanted)
            {
                if (await database.StatAsync(hash, cancellationToken) is { } stored)
                {
                    held.Add(stored);
                }
            }

            return held;
        }

        // The algorithm most of the wanted objects are hashed with is sampled; the shards of every one are listed.
        var algorithms = wanted.GroupBy(h => h.Algorithm).OrderByDescending(g => g.Count()).Select(g => g.Key).ToList();
        var method = ExistenceMethod.PerObject;
        if (!ExistenceCheck.AskEachWithoutSampling(wanted.Count, options.Jobs))
        {
            var sample = await options.Retry.RunAsync(token => database.ListAsync(ObjectLayout.ShardsOf(algorithms[0]).First(), token), cancellationToken);
            method = ExistenceCheck.Choose(wanted.Count, sample.Count, options.Jobs);
        }

        var found = method switch
        {
            ExistenceMethod.PerObject => await StatEachAsync(database, wanted, cancellationToken),
            ExistenceMethod.ListAll => await options.Retry.RunAsync(token => database.ListAsync(null, token), cancellationToken),
            _ => await ListByShardAsync(database, algorithms, cancellationToken),
        };
        var wantedSet = wanted as IReadOnlySet<ContentHash> ?? wanted.ToHashSet();
        return [.. found.Where(o => wantedSet.Contains(o.Hash))];
    }

    private async Task<IReadOnlyCollection<StoredObject>> StatEachAsync(IObjectDatabase database, IReadOnlyCollection<ContentHash> wanted, CancellationToken cancellationToken)
    {
        var found = new ConcurrentBag<StoredObject>();
        await Parallel.ForEachAsync(wanted, ParallelJobs(options.Jobs, cancellationToken), async (hash, token) =>
        {
            if (await options.Retry.RunAsync(t => database.StatAsync(hash, t), token) is { } stored)
            {
                found.Add(stored);
            }
        });
        return found;
    }

    private async Task<IReadOnlyCollection<StoredObject>> ListByShardAsync(
        IObjectDatabase database, IEnumerable<ContentHashAlgorithm> algorithms, CancellationToken cancellationToken)
    {
        var found = new ConcurrentBag<StoredObject>();
        var shards = algorithms.SelectMany(ObjectLayout.ShardsOf);
        await Parallel.ForEachAsync(shards, ParallelJobs(options.Jobs, cancellationToken), async (shard, token) =>
        {
            foreach (var stored in await options.Retry.RunAsync(t => database.ListAsync(shard, t), token))
            {
                found.Add(stored);
            }
        });
        return found;
    }

    // A copy holds one of the job slots only until its bytes are written (and, where the destination checks, verified);
    // the job then goes on to the next object while this one waits for the destination's next flush, shared by every
    // object written meanwhile. The transfer ends only when every object waiting so is committed.
    private async Task<MoveResult> CopyAllAsync(IObjectDatabase source, IObjectDatabase destination, IReadOnlyList<ContentHash> hashes, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(options.Jobs);
        return await MoveAllAsync(
            hashes, (hash, token) => CopyAsync(source, destination, hash, slots, token), source, destination, options.Jobs * CommitsPerJob, cancellationToken);
    }

    private async Task<long> CopyAsync(IObjectDatabase source, IObjectDatabase destination, ContentHash hash, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        var commit = Task.CompletedTask;
        long size = 0;
        await slots.WaitAsync(cancellationToken);
        try
        {
            var found = await options.Retry.RunAsync(
                token => source.ReadAsync(hash, async content =>
                {
                    size = content.Length;
                    try
                    {
                        commit = await destination.WriteAsync(hash, content, token);
                    }
                    catch (CorruptObjectException e)
                    {
                        throw new ArrivedCorruptException(e);
                    }
                }, token),
                cancellationToken);
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
        return size;
    }

    private async Task<long> WriteManifestAsync(IObjectDatabase destination, FolderObjects folder, CancellationToken cancellationToken)
    {
        await options.Retry.RunAsync(
            async token =>
            {
                using var bytes = new MemoryStream(folder.Manifest.ToArray(), writable: false);
                await await destination.WriteAsync(folder.Hash, new ObjectContent(bytes, bytes.Length), token);
            },
            cancellationToken);
        return folder.Manifest.Length;
    }

    // Problems of one object (missing, corrupt) are collected so that one bad object does not stop the rest; an
    // ObjectDatabaseException means a database itself failed, and stops everything at once.
    private async Task<MoveResult> MoveAllAsync(
        IReadOnlyList<ContentHash> hashes,
        Func<ContentHash, CancellationToken, Task<long>> move,
        IObjectDatabase source,
        IObjectDatabase destination,
        int parallel,
        CancellationToken cancellationToken)
    {
        var done = new ConcurrentBag<ContentHash>();
        var failed = new ConcurrentBag<TransferFailure>();
        long bytes = 0;
        await Parallel.ForEachAsync(hashes, ParallelJobs(parallel, cancellationToken), async (hash, token) =>
        {
            try
            {
                var moved = await move(hash, token);
                Interlocked.Add(ref bytes, moved);
                done.Add(hash);
                progress.FileDone(moved);
            }
            catch (Exception e) when (Reason(e, source, destination) is { } reason)
            {
                failed.Add(new TransferFailure(hash, reason));
                progress.FileDone(0);
            }
        });
        return new MoveResult([.. done], [.. failed.OrderBy(f => f.Hash.Value, StringComparer.Ordinal)], bytes);
    }

    private static string? Reason(Exception e, IObjectDatabase source, IObjectDatabase destination) => e switch
    {
        MissingObjectException => $"not in {source.Name}",
        ArrivedCorruptException arrived => $"the copy in {source.Name} is corrupt ({arrived.Corrupt.Reason}); it was not stored in {destination.Name}",
        CorruptObjectException corrupt => $"the copy in {source.Name} is corrupt ({corrupt.Reason}), so it was not copied",
        _ => null,
    };

    private static ParallelOptions ParallelJobs(int parallel, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken };

    private static ContentHash[] Sorted(IEnumerable<ContentHash> hashes) => [.. hashes.OrderBy(h => h.Value, StringComparer.Ordinal)];

    private static TransferSummary Summarise(IEnumerable<MoveResult> moves, int alreadyThere, int replaced, IEnumerable<TransferFailure> otherFailures)
    {
        var results = moves.ToList();
        return new TransferSummary(
            results.Sum(r => r.Done.Count),
            results.Sum(r => r.Bytes),
            alreadyThere,
            [.. results.SelectMany(r => r.Failed).Concat(otherFailures).DistinctBy(f => f.Hash)])
        {
            Replaced = replaced,
        };
    }

    private sealed record MoveResult(IReadOnlyList<ContentHash> Done, IReadOnlyList<TransferFailure> Failed, long Bytes)
    {
        private readonly HashSet<ContentHash> done = [.. Done];

        public bool Contains(ContentHash hash) => done.Contains(hash);
    }

    // Told apart from a source that knows its copy is corrupt: these bytes were found corrupt by the destination.
    private sealed class ArrivedCorruptException(CorruptObjectException corrupt) : Exception(corrupt.Message, corrupt)
    {
        public CorruptObjectException Corrupt { get; } = corrupt;
    }
}
