using Cake.Core;
using Cake.Core.Annotations;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Tracking;
using Pipeline.Core.Workspace;
using Pipeline.Remotes;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

using static Pipeline.Cake.Amounts;

namespace Pipeline.Cake;

/// <summary>
/// Moves the cache objects that the lock file's outputs and the <c>*.ptr</c> pointer files refer to between the
/// local cache and a data remote, as <c>dvc push</c>, <c>fetch</c>, <c>pull</c>, <c>status --cloud</c> and
/// <c>gc --cloud</c> do. Each call reports to Cake's log and fails with one line naming the remote when objects could
/// not be moved; Ctrl+C stops it cleanly. The ready-made <c>Push</c>, <c>Fetch</c>, <c>Pull</c>,
/// <c>RemoteStatus</c> and <c>RemoteGc</c> targets are these aliases with the command line's options.
/// </summary>
[CakeAliasCategory("Pipeline data remotes")]
public static class DataRemoteAliases
{
    /// <summary>Sends the referenced objects to the default remote; what the workspace holds but the cache lacks is stored first.</summary>
    /// <example><code>PushData();</code></example>
    [CakeMethodAlias]
    public static TransferSummary PushData(this ICakeContext context) => PushData(context, new DataRemoteSettings());

    /// <summary>Sends the referenced objects to a remote; what the workspace holds but the cache lacks is stored first.</summary>
    /// <example><code>PushData(new DataRemoteSettings { Remote = "storage", Jobs = 16 });</code></example>
    /// <exception cref="PipelineException">Objects could not be pushed, or the remote failed as a whole.</exception>
    [CakeMethodAlias]
    public static TransferSummary PushData(this ICakeContext context, DataRemoteSettings settings) => Run(context, settings, PushAsync);

    /// <summary>Brings the referenced objects from the default remote into the cache.</summary>
    [CakeMethodAlias]
    public static TransferSummary FetchData(this ICakeContext context) => FetchData(context, new DataRemoteSettings());

    /// <summary>Brings the referenced objects from a remote into the cache.</summary>
    /// <exception cref="PipelineException">Objects could not be fetched, or the remote failed as a whole.</exception>
    [CakeMethodAlias]
    public static TransferSummary FetchData(this ICakeContext context, DataRemoteSettings settings) => Run(context, settings, FetchAsync);

    /// <summary>Fetches from the default remote, then checks out: outputs and tracked data as the lock file and pointers record them.</summary>
    [CakeMethodAlias]
    public static PullResult PullData(this ICakeContext context) => PullData(context, new DataRemoteSettings());

    /// <summary>Fetches from a remote, then checks out: outputs and tracked data as the lock file and pointers record them.</summary>
    /// <exception cref="PipelineException">Objects could not be fetched or paths checked out (those that could are).</exception>
    [CakeMethodAlias]
    public static PullResult PullData(this ICakeContext context, DataRemoteSettings settings) => Run(context, settings, PullAsync);

    /// <summary>Which referenced objects are only local, only on the default remote, on neither, or corrupt there.</summary>
    [CakeMethodAlias]
    public static RemoteStatusReport DataRemoteStatus(this ICakeContext context) => DataRemoteStatus(context, new DataRemoteSettings());

    /// <summary>Which referenced objects are only local, only on a remote, on neither, or corrupt there.</summary>
    [CakeMethodAlias]
    public static RemoteStatusReport DataRemoteStatus(this ICakeContext context, DataRemoteSettings settings) => Run(context, settings, StatusAsync);

    /// <summary>Removes from a remote the objects that neither the workspace nor the revisions in scope refer to.</summary>
    /// <example><code>DataRemoteGc(new DataRemoteGcSettings { Scope = new ReferenceScope(AllBranches: true), DryRun = true });</code></example>
    [CakeMethodAlias]
    public static SweepResult DataRemoteGc(this ICakeContext context, DataRemoteGcSettings settings) =>
        Run(context, settings, target => GcAsync(target, settings ?? throw new ArgumentNullException(nameof(settings))));

    /// <summary>
    /// Fetches the objects <paramref name="stage"/>'s lock entry records (dependencies and outputs) that the cache
    /// lacks, so that the stage can be skipped or restored instead of run; nothing when the stage never ran.
    /// </summary>
    /// <exception cref="PipelineException">The remote failed as a whole (unreachable, credentials, no bucket).</exception>
    internal static async Task PullForStageAsync(ICakeContext context, PipelineSession session, string stage, DataRemoteSettings from, CancellationToken cancellationToken)
    {
        var workspace = await session.OpenAsync(context, cancellationToken);
        if ((await workspace.LockFiles.ReadAsync(cancellationToken)).Find(stage) is not { } recorded)
        {
            return;
        }

        using var connection = await session.ConnectAsync(context, from, cancellationToken);
        var hashes = recorded.Dependencies.Concat(recorded.Outputs).Select(p => p.Content.Hash);
        var summary = await connection.Transfer.FetchAsync(hashes, cancellationToken);
        var log = new CakePipelineLog(context.Log);
        log.Information($"Stage '{stage}': fetched {Count(summary.Transferred, "object")} ({Bytes(summary.Bytes)}) from {connection.Definition}");
        if (summary.Failed.Count > 0)
        {
            log.Warning($"Stage '{stage}': {Count(summary.Failed.Count, "object")} could not be fetched ({summary.DescribeFailures()})");
        }
    }

    private static T Run<T>(ICakeContext context, DataRemoteSettings settings, Func<Target, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return PipelineSession.UseAsync(context, async session =>
        {
            var workspace = await session.OpenAsync(context, RunStopping.Token);
            using var connection = await session.ConnectAsync(context, settings, RunStopping.Token);
            var recorded = await WorkspaceReferences.ReadAsync(workspace, RunStopping.Token);
            return await action(new Target(workspace, connection, recorded, new CakePipelineLog(context.Log)));
        }).GetAwaiter().GetResult();
    }

    private static async Task<TransferSummary> PushAsync(Target target)
    {
        // What the workspace holds as recorded but the cache lacks (a deleted cache, say) is stored first, so a Push
        // never fails on data this machine has.
        var committed = await new CacheCommit(target.Workspace.WorkTree, target.Workspace.Hasher, target.Workspace.Cache).CommitAsync(target.Recorded, RunStopping.Token);
        foreach (var path in committed.Stored)
        {
            target.Log.Information($"Stored {path.Path} in the cache from the workspace ({Count(path.Objects, "object")}) before pushing");
        }

        var summary = await target.Connection.Transfer.PushAsync(target.Roots, RunStopping.Token);
        var replaced = summary.Replaced > 0 ? $" (replacing {Count(summary.Replaced, "corrupt copy", "corrupt copies")} there)" : "";
        target.Log.Information($"Pushed {Count(summary.Transferred, "object")} ({Bytes(summary.Bytes)}) to {target.Connection.Definition}{replaced}; {summary.AlreadyThere} already there.");
        ThrowOnFailures("Push", "pushed", summary, target);
        return summary;
    }

    private static async Task<TransferSummary> FetchAsync(Target target)
    {
        var summary = await FetchRootsAsync(target);
        ThrowOnFailures("Fetch", "fetched", summary, target);
        return summary;
    }

    private static async Task<PullResult> PullAsync(Target target)
    {
        var summary = await FetchRootsAsync(target);

        // Check out whatever arrived even when some objects failed: the paths that are complete become usable.
        var checkout = await new WorkspaceCheckout(target.Workspace).RunAsync(RunStopping.Token);
        foreach (var path in checkout.Changed)
        {
            target.Log.Information($"Restored {path.Path} as {path.Source} records it ({Count(path.FilesWritten, "file")} written)");
        }

        target.Log.Information($"{Count(checkout.Changed.Count, "path")} restored, {checkout.Unchanged} already matched.");
        ThrowOnFailures("Pull", "fetched", summary, target);
        if (checkout.Failed.Count > 0)
        {
            var failed = string.Join("; ", checkout.Failed.Select(f => $"{f.Path}: {f.Why}"));
            throw new PipelineException($"Pull: {Count(checkout.Failed.Count, "path")} could not be checked out ({failed}); Push them from a clone that has them, or run Repro");
        }

        return new PullResult(summary, checkout);
    }

    private static async Task<RemoteStatusReport> StatusAsync(Target target)
    {
        var report = await target.Connection.Transfer.StatusAsync(target.Roots, RunStopping.Token);
        var listed = report.LocalOnly.Select(h => (h, "local only")).Concat(report.RemoteOnly.Select(h => (h, "remote only")))
            .Concat(report.Missing.Select(h => (h, "missing from both"))).Concat(report.Corrupt.Select(h => (h, "corrupt on the remote")));
        foreach (var (hash, where) in listed)
        {
            target.Log.Verbose($"{where}: {ObjectLayout.KeyOf(hash)}");
        }

        var remote = target.Connection.Definition;
        var corrupt = report.Corrupt.Count > 0 ? $"; {report.Corrupt.Count} corrupt on the remote (Push replaces them)" : "";
        target.Log.Information(report.LocalOnly.Count == 0 && report.RemoteOnly.Count == 0 && report.Missing.Count == 0 && report.Corrupt.Count == 0
            ? $"{remote} and the local cache are in sync ({Count(report.InSync, "object")})."
            : $"{remote}: {report.InSync} in sync; {report.LocalOnly.Count} local only (Push sends them); {report.RemoteOnly.Count} remote only (Fetch or Pull brings them); {report.Missing.Count} missing from both{corrupt}.");
        return report;
    }

    private static async Task<SweepResult> GcAsync(Target target, DataRemoteGcSettings settings)
    {
        var dryRun = settings.DryRun;
        var references = await new ReferenceFinder(target.Workspace, new GitRepository(target.Workspace.Root)).FindAsync(settings.Scope, RunStopping.Token);
        var result = await target.Connection.Transfer.CollectGarbageAsync(references.Roots, dryRun, RunStopping.Token);
        foreach (var removed in result.Removed)
        {
            target.Log.Verbose($"{(dryRun ? "would remove" : "removed")} {ObjectLayout.KeyOf(removed.Hash)}");
        }

        var remote = target.Connection.Definition;
        var referrers = Referrers(settings.Scope, references.RevisionsRead);
        target.Log.Information(dryRun
            ? $"Dry run: would remove {Count(result.Removed.Count, "object")} from {remote}; {result.Kept} referenced by {referrers} would stay. Nothing was removed."
            : $"Removed {Count(result.Removed.Count, "object")} from {remote}; kept {result.Kept} referenced by {referrers}.");
        return result;
    }

    // The session holds the repository lock, so no other process is writing to the cache: every temporary file in it
    // was left by a transfer that was killed.
    private static async Task<TransferSummary> FetchRootsAsync(Target target)
    {
        if (target.Workspace.Cache.RemoveTemporaryFiles() is > 0 and var removed)
        {
            target.Log.Information($"Removed {Count(removed, "temporary file")} that an interrupted transfer left in the cache.");
        }

        var summary = await target.Connection.Transfer.FetchAsync(target.Roots, RunStopping.Token);
        target.Log.Information($"Fetched {Count(summary.Transferred, "object")} ({Bytes(summary.Bytes)}) from {target.Connection.Definition}; {summary.AlreadyThere} already in the cache.");
        return summary;
    }

    private static void ThrowOnFailures(string target, string verb, TransferSummary summary, Target context)
    {
        if (summary.Failed.Count > 0)
        {
            throw new PipelineException(
                $"{target}: {Count(summary.Failed.Count, "object")} could not be {verb} with {context.Connection.Definition} ({summary.DescribeFailures()})");
        }
    }

    /// <summary>What one data alias works on: the paths the lock file and pointer files record, and their objects' roots.</summary>
    private sealed record Target(PipelineWorkspace Workspace, RemoteConnection Connection, IReadOnlyList<PathState> Recorded, IPipelineLog Log)
    {
        public IReadOnlyList<ContentHash> Roots { get; } = [.. Recorded.Select(p => p.Content.Hash)];
    }
}
