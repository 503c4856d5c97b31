using Pipeline.Core;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes;

/// <summary>
/// The workspace's cache and one remote, as the remote targets use them: push and fetch are transfers from one to
/// the other, status compares them, remote gc sweeps the remote (all written once in <see cref="ObjectTransfer"/>).
/// </summary>
/// <param name="cache">The local cache.</param>
/// <param name="remote">The remote.</param>
/// <param name="options">Jobs and retries.</param>
/// <param name="progress">Hears about each object moved.</param>
public sealed class RemoteTransfer(IObjectDatabase cache, IObjectDatabase remote, TransferOptions options, ITransferProgress progress)
{
    private readonly ObjectTransfer transfer = new(options, progress);

    /// <summary>Sends the objects of <paramref name="roots"/> (folders with their files) that the remote lacks.</summary>
    /// <exception cref="ObjectDatabaseException">The remote failed as a whole (unreachable, credentials, no bucket).</exception>
    public Task<TransferSummary> PushAsync(IEnumerable<ContentHash> roots, CancellationToken cancellationToken) =>
        transfer.TransferAsync(cache, remote, roots, "Pushing", cancellationToken);

    /// <summary>
    /// Brings into the local cache the objects of <paramref name="roots"/> it lacks. This is the fetch behind
    /// <c>Pull</c>, <c>Fetch</c> and <c>Repro --pull</c>.
    /// </summary>
    /// <exception cref="ObjectDatabaseException">The remote failed as a whole (unreachable, credentials, no bucket).</exception>
    public Task<TransferSummary> FetchAsync(IEnumerable<ContentHash> roots, CancellationToken cancellationToken) =>
        transfer.TransferAsync(remote, cache, roots, "Fetching", cancellationToken);

    /// <summary>Which objects of <paramref name="roots"/> are only local, only on the remote, in both, or nowhere.</summary>
    /// <exception cref="ObjectDatabaseException">The remote failed as a whole.</exception>
    public Task<RemoteStatusReport> StatusAsync(IEnumerable<ContentHash> roots, CancellationToken cancellationToken) =>
        transfer.CompareAsync(cache, remote, roots, cancellationToken);

    /// <summary>Removes from the remote every object that <paramref name="roots"/> do not refer to.</summary>
    /// <exception cref="PipelineException">A referenced folder's manifest is corrupt, so its files cannot be told from garbage.</exception>
    public async Task<SweepResult> CollectGarbageAsync(IEnumerable<ContentHash> roots, bool dryRun, CancellationToken cancellationToken)
    {
        var objects = await ObjectGraph.ExpandAsync(roots, [cache, remote], options.Retry, cancellationToken);
        if (objects.Unreadable.FirstOrDefault(u => u.Corrupt) is { } corrupt)
        {
            throw new PipelineException($"RemoteGc: {corrupt.ToFailure()}; nothing was removed, because the files of that folder cannot be told from garbage");
        }

        return await transfer.SweepAsync(remote, objects.All.ToHashSet(), dryRun, cancellationToken);
    }
}
