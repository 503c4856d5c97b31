using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Tracking;
using Pipeline.Core.Workspace;
using Pipeline.Remotes;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

using static Pipeline.Cake.Amounts;

namespace Pipeline.Cake;

/// <summary>
/// The data-remote targets, as DVC users know them: <c>Push</c>, <c>Pull</c>, <c>Fetch</c>, <c>RemoteStatus</c> and
/// <c>RemoteGc</c>, each moving the objects that the lock file's outputs and the <c>*.ptr</c> pointer files refer to.
/// Options: <c>--remote=NAME</c>, <c>--jobs=N</c>, and for <c>RemoteGc</c> <c>--dry-run</c> and the scope
/// (<c>--all-branches</c>, <c>--all-tags</c>, <c>--all-commits</c>: what those revisions refer to is kept too).
/// </summary>
internal static class RemoteTasks
{
    /// <summary>Registers the targets, sharing the run's <paramref name="session"/> (one repository lock per run).</summary>
    public static void Register(Func<string, CakeTaskBuilder> task, PipelineSession session)
    {
        task("Push").Description("Sends the cache objects of pipeline.lock outputs and .ptr files to a remote (--remote=NAME, --jobs=N)")
            .Does(context => WithRemoteAsync(context, session, PushAsync));
        task("Fetch").Description("Brings the cache objects of pipeline.lock outputs and .ptr files from a remote into the cache (--remote=NAME, --jobs=N)")
            .Does(context => WithRemoteAsync(context, session, FetchAsync));
        task("Pull").Description("Fetch, then check out: makes outputs and tracked data match pipeline.lock and the .ptr files (--remote=NAME, --jobs=N)")
            .Does(context => WithRemoteAsync(context, session, PullAsync));
        task("RemoteStatus").Description("Shows which referenced objects are only in the local cache, only on the remote, or in neither (--remote=NAME)")
            .Does(context => WithRemoteAsync(context, session, StatusAsync));
        task("RemoteGc").Description("Removes remote objects that the workspace does not refer to (--remote=NAME, --dry-run; --all-branches, --all-tags, --all-commits keep theirs too)")
            .Does(context => WithRemoteAsync(context, session, GcAsync));
    }

    /// <summary>
    /// For <c>Repro --pull</c>: fetches the objects <paramref name="stage"/>'s lock entry records (dependencies and
    /// outputs) that the cache lacks, so that the stage can be skipped or restored instead of run; does nothing
    /// without <c>--pull</c> or when the stage never ran.
    /// </summary>
    /// <exception cref="PipelineException">The remote failed as a whole (unreachable, credentials, no bucket).</exception>
    public static async Task PullForStageAsync(ICakeContext context, PipelineSession session, string stage, CancellationToken cancellationToken)
    {
        var workspace = await session.OpenAsync(context, cancellationToken);
        if (!RemoteOptions.From(context).Pull || (await workspace.LockFiles.ReadAsync(cancellationToken)).Find(stage) is not { } recorded)
        {
            return;
        }

        using var connection = await session.ConnectAsync(context, cancellationToken);
        var hashes = recorded.Dependencies.Concat(recorded.Outputs).Select(p => p.Content.Hash);
        var summary = await connection.Transfer.FetchAsync(hashes, cancellationToken);
        var log = new CakePipelineLog(context.Log);
        log.Information($"Stage '{stage}': fetched {Count(summary.Transferred, "object")} ({Bytes(summary.Bytes)}) from {connection.Definition}");
        if (summary.Failed.Count > 0)
        {
            log.Warning($"Stage '{stage}': {Count(summary.Failed.Count, "object")} could not be fetched ({summary.DescribeFailures()})");
        }
    }

    private static async Task WithRemoteAsync(ICakeContext context, PipelineSession session, Func<Target, Task> action)
    {
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        using var connection = await session.ConnectAsync(context, RunStopping.Token);
        var roots = (await WorkspaceReferences.ReadAsync(workspace, RunStopping.Token)).Select(p => p.Content.Hash).ToList();
        await action(new Target(workspace, connection, roots, RemoteOptions.From(context), session.Options.Scope, new CakePipelineLog(context.Log)));
    }

    private static async Task PushAsync(Target target)
    {
        // What the workspace holds as recorded but the cache lacks (a deleted cache, say) is stored first, so a Push
        // never fails on data this machine has.
        var recorded = await WorkspaceReferences.ReadAsync(target.Workspace, RunStopping.Token);
        var committed = await new CacheCommit(target.Workspace).CommitAsync(recorded, RunStopping.Token);
        foreach (var path in committed.Stored)
        {
            target.Log.Information($"Stored {path.Path} in the cache from the workspace ({Count(path.Objects, "object")}) before pushing");
        }

        var summary = await target.Connection.Transfer.PushAsync(target.Roots, RunStopping.Token);
        var replaced = summary.Replaced > 0 ? $" (replacing {Count(summary.Replaced, "corrupt copy", "corrupt copies")} there)" : "";
        target.Log.Information($"Pushed {Count(summary.Transferred, "object")} ({Bytes(summary.Bytes)}) to {target.Connection.Definition}{replaced}; {summary.AlreadyThere} already there.");
        ThrowOnFailures("Push", "pushed", summary, target);
    }

    private static async Task FetchAsync(Target target)
    {
        RemoveAbandonedTemporaryFiles(target);
        var summary = await target.Connection.Transfer.FetchAsync(target.Roots, RunStopping.Token);
        target.Log.Information($"Fetched {Count(summary.Transferred, "object")} ({Bytes(summary.Bytes)}) from {target.Connection.Definition}; {summary.AlreadyThere} already in the cache.");
        ThrowOnFailures("Fetch", "fetched", summary, target);
    }

    private static async Task PullAsync(Target target)
    {
        RemoveAbandonedTemporaryFiles(target);
        var summary = await target.Connection.Transfer.FetchAsync(target.Roots, RunStopping.Token);
        target.Log.Information($"Fetched {Count(summary.Transferred, "object")} ({Bytes(summary.Bytes)}) from {target.Connection.Definition}; {summary.AlreadyThere} already in the cache.");

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
    }

    private static async Task StatusAsync(Target target)
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
    }

    private static async Task GcAsync(Target target)
    {
        var dryRun = target.Options.DryRun;
        var references = await new ReferenceFinder(target.Workspace, new GitRepository(target.Workspace.Root)).FindAsync(target.Scope, RunStopping.Token);
        var result = await target.Connection.Transfer.CollectGarbageAsync(references.Roots, dryRun, RunStopping.Token);
        foreach (var removed in result.Removed)
        {
            target.Log.Verbose($"{(dryRun ? "would remove" : "removed")} {ObjectLayout.KeyOf(removed.Hash)}");
        }

        var remote = target.Connection.Definition;
        var referrers = Referrers(target.Scope, references.RevisionsRead);
        target.Log.Information(dryRun
            ? $"Dry run: would remove {Count(result.Removed.Count, "object")} from {remote}; {result.Kept} referenced by {referrers} would stay. Nothing was removed."
            : $"Removed {Count(result.Removed.Count, "object")} from {remote}; kept {result.Kept} referenced by {referrers}.");
    }

    // The session holds the repository lock, so no other process is writing to the cache: every temporary file in it
    // was left by a transfer that was killed.
    private static void RemoveAbandonedTemporaryFiles(Target target)
    {
        if (target.Workspace.Cache.RemoveTemporaryFiles() is > 0 and var removed)
        {
            target.Log.Information($"Removed {Count(removed, "temporary file")} that an interrupted transfer left in the cache.");
        }
    }

    private static void ThrowOnFailures(string target, string verb, TransferSummary summary, Target context)
    {
        if (summary.Failed.Count > 0)
        {
            throw new PipelineException(
                $"{target}: {Count(summary.Failed.Count, "object")} could not be {verb} with {context.Connection.Definition} ({summary.DescribeFailures()})");
        }
    }

    /// <summary>What one remote target works on.</summary>
    private sealed record Target(
        PipelineWorkspace Workspace, RemoteConnection Connection, IReadOnlyList<ContentHash> Roots, RemoteOptions Options, ReferenceScope Scope, IPipelineLog Log);
}
