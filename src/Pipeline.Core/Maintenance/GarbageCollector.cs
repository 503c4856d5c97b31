using Pipeline.Core.Git;
using Pipeline.Core.Runs;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Objects;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.Maintenance;

/// <summary>What a garbage collection keeps, and whether it only reports.</summary>
/// <param name="Scope">Whose references keep objects: the workspace's, and on request git branches', tags' or commits'.</param>
/// <param name="DryRun">Only report what would be removed.</param>
public sealed record GcOptions(ReferenceScope Scope, bool DryRun = false);

/// <summary>What a garbage collection removed (or, in a dry run, would remove).</summary>
/// <param name="Removed">The objects removed.</param>
/// <param name="BytesFreed">Their total size.</param>
/// <param name="Kept">How many objects stay because something refers to them.</param>
/// <param name="RunCacheEntriesRemoved">Run-cache entries dropped because they pointed at removed objects.</param>
/// <param name="RevisionsRead">How many git commits were read for references.</param>
/// <param name="TemporaryFilesRemoved">Temporary files that transfers killed mid-write had left in the cache.</param>
public sealed record GcResult(IReadOnlyList<ContentHash> Removed, long BytesFreed, int Kept, int RunCacheEntriesRemoved, int RevisionsRead, int TemporaryFilesRemoved);

/// <summary>
/// Removes cache objects nothing refers to: the workspace's lock file outputs and pointer files (and, on request,
/// those of git branches, tags or commits), folders' manifests and the files they list. It never removes a referenced
/// object, and drops the run-cache entries that pointed at what it removed.
/// </summary>
/// <param name="workspace">The repository.</param>
/// <param name="git">Its git repository; needed only when <see cref="ReferenceScope.ReadsGit"/>.</param>
public sealed class GarbageCollector(PipelineWorkspace workspace, GitRepository git)
{
    /// <summary>Collects the garbage.</summary>
    /// <exception cref="PipelineException">A lock or pointer file cannot be read, git fails, or a referenced folder's
    /// manifest is corrupt (then nothing is removed, as its files cannot be told from garbage).</exception>
    public async Task<GcResult> CollectAsync(GcOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var references = await new ReferenceFinder(workspace, git).FindAsync(options.Scope, cancellationToken);
        var kept = await ObjectGraph.ExpandAsync(references.Roots, [workspace.Cache], RetryPolicy.Default, cancellationToken);
        if (kept.Unreadable.FirstOrDefault(u => u.Corrupt) is { } corrupt)
        {
            throw new PipelineException(
                $"gc: {corrupt.ToFailure()}; nothing was removed, because the files of that folder cannot be told from garbage (delete the object, then run Gc again)");
        }

        var temporaryFiles = options.DryRun ? workspace.Cache.ListTemporaryFiles().Count : workspace.Cache.RemoveTemporaryFiles();
        var sweep = await new ObjectTransfer(TransferOptions.Default, SilentProgress.Instance).SweepAsync(workspace.Cache, kept.All.ToHashSet(), options.DryRun, cancellationToken);
        var removed = sweep.Removed.Select(o => o.Hash).ToHashSet();
        var staleRuns = await StaleRunEntriesAsync(removed, cancellationToken);
        if (!options.DryRun)
        {
            staleRuns.ForEach(File.Delete);
            await workspace.SaveStateAsync(cancellationToken);
        }

        return new GcResult([.. sweep.Removed.Select(o => o.Hash)], sweep.BytesFreed, sweep.Kept, staleRuns.Count, references.RevisionsRead, temporaryFiles);
    }

    // A run-cache entry is only a shortcut; one that points at a removed object would fall back to running anyway.
    private async Task<List<string>> StaleRunEntriesAsync(HashSet<ContentHash> removed, CancellationToken cancellationToken)
    {
        var stale = new List<string>();
        foreach (var (file, _, run) in await new RunCache(workspace.RunCacheFolder, workspace.Cache).ListAsync(cancellationToken))
        {
            var objects = await ObjectGraph.ExpandAsync(run.Outputs.Select(o => o.Content.Hash), [workspace.Cache], RetryPolicy.Default, cancellationToken);
            if (objects.All.Any(o => removed.Contains(o) || !workspace.Cache.Contains(o)))
            {
                stale.Add(file);
            }
        }

        return stale;
    }
}
