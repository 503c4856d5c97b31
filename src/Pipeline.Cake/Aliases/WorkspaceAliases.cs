using Cake.Core;
using Cake.Core.Annotations;
using Pipeline.Core;
using Pipeline.Core.Diffs;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.Graph;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Stages;
using Pipeline.Core.Status;
using Pipeline.Core.Tracking;
using Pipeline.Core.Workspace;

using static Pipeline.Cake.Amounts;

namespace Pipeline.Cake;

/// <summary>
/// The workspace as DVC users know it, from a build script: status, tracking raw data, committing to and checking out
/// of the cache, diffs against git revisions, and garbage collection. Each alias reports to Cake's log, returns what it
/// found or did, and fails with one line. The ready-made <c>Status</c>, <c>Add</c>, <c>Commit</c>, <c>Checkout</c>,
/// <c>ParamsDiff</c>, <c>MetricsDiff</c>, <c>MetricsShow</c> and <c>Gc</c> targets are these aliases with the command
/// line's options.
/// </summary>
[CakeAliasCategory("Pipeline workspace")]
public static class WorkspaceAliases
{
    /// <summary>The stages that are not up to date and why, the tracked data that changed, and what the cache lacks.</summary>
    /// <example><code>if (!PipelineStatus(stages).IsUpToDate) { Repro(stages); }</code></example>
    [CakeMethodAlias]
    public static PipelineStatusReport PipelineStatus(this ICakeContext context, IEnumerable<IStage> stages)
    {
        var graph = GraphOf(stages);
        return Run(context, workspace => StatusAsync(workspace, graph, new CakePipelineLog(context.Log)));
    }

    /// <summary>Tracks a raw input file or folder: stores it in the cache and writes <c>PATH.ptr</c> beside it, as <c>dvc add</c>.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="path">The repository-relative file or folder.</param>
    /// <param name="stages">The pipeline's stages: a stage's output is the lock file's to track, never a pointer's.</param>
    /// <exception cref="PipelineException">The path does not exist, or a stage writes it.</exception>
    [CakeMethodAlias]
    public static PointerFile AddData(this ICakeContext context, string path, IEnumerable<IStage> stages)
    {
        var graph = GraphOf(stages);
        return Run(context, async workspace =>
        {
            var pointer = await new TrackedData(workspace).AddAsync(path, graph.Stages, RunStopping.Token);
            var content = pointer.Tracked.Content;
            var files = content.FileCount is { } count ? $"{count} files, " : "";
            var folder = Path.GetDirectoryName(pointer.Tracked.Path) is { Length: > 0 } parent ? parent + "/" : "";
            new CakePipelineLog(context.Log).Information(
                $"Added {pointer.Tracked.Path} ({files}{Bytes(content.Size)}) to the cache; commit {pointer.PointerPath} and {folder}.gitignore");
            return pointer;
        });
    }

    /// <summary>Stores in the cache, from the workspace, what the lock file and pointer files record and the cache lacks.</summary>
    /// <exception cref="PipelineException">Paths are in neither the cache nor the workspace as recorded (those that are, are stored).</exception>
    [CakeMethodAlias]
    public static CommitResult CommitData(this ICakeContext context) => Run(context, async workspace =>
    {
        var recorded = await RecordedPath.ReadAllAsync(workspace, RunStopping.Token);
        var result = await new CacheCommit(workspace.WorkTree, workspace.Hasher, workspace.Cache).CommitAsync(recorded.Select(p => p.State), RunStopping.Token);
        var log = new CakePipelineLog(context.Log);
        foreach (var path in result.Stored)
        {
            log.Information($"Stored {path.Path} in the cache from the workspace ({Count(path.Objects, "object")})");
        }

        log.Information($"{Count(result.Stored.Count, "path")} stored, {recorded.Count - result.Stored.Count - result.Unavailable.Count} already in the cache.");
        return result.Unavailable.Count == 0
            ? result
            : throw new PipelineException(
                $"Commit: {Count(result.Unavailable.Count, "path")} in neither the cache nor the workspace as recorded ({string.Join(", ", result.Unavailable)}); Pull fetches them from a remote, Repro rebuilds outputs");
    });

    /// <summary>Makes outputs and tracked data match the lock file and pointer files, restoring them from the cache.</summary>
    /// <exception cref="PipelineException">Paths could not be restored (the others are).</exception>
    [CakeMethodAlias]
    public static CheckoutResult CheckoutData(this ICakeContext context) => Run(context, async workspace =>
    {
        var result = await new WorkspaceCheckout(workspace).RunAsync(RunStopping.Token);
        var log = new CakePipelineLog(context.Log);
        foreach (var path in result.Changed)
        {
            var written = path.FilesWritten > 0 ? $" ({Count(path.FilesWritten, "file")} written)" : " (extra files removed)";
            log.Information($"Restored {path.Path} as {path.Source} records it{written}");
        }

        log.Information(result.Changed.Count == 0 && result.Failed.Count == 0
            ? $"Workspace already matches the lock file and pointer files ({Count(result.Unchanged, "path")})."
            : $"{Count(result.Changed.Count, "path")} restored, {result.Unchanged} already matched.");
        return result.Failed.Count == 0
            ? result
            : throw new PipelineException(
                $"Checkout: {Count(result.Failed.Count, "path")} could not be restored ({string.Join("; ", result.Failed.Select(f => $"{f.Path}: {f.Why}"))}); run Repro to rebuild outputs");
    });

    /// <summary>Every parameter the stages read, here and at <paramref name="revision"/> (such as <c>HEAD</c> or <c>main</c>).</summary>
    [CakeMethodAlias]
    public static IReadOnlyList<DiffRow> ParamsDiff(this ICakeContext context, string revision) =>
        Run(context, workspace => DiffOf(context, workspace).ParamsAsync(revision, RunStopping.Token));

    /// <summary>Every metric the stages write, here and at <paramref name="revision"/>.</summary>
    [CakeMethodAlias]
    public static IReadOnlyList<DiffRow> MetricsDiff(this ICakeContext context, IEnumerable<IStage> stages, string revision)
    {
        var files = MetricsFiles(GraphOf(stages));
        return Run(context, workspace => DiffOf(context, workspace).MetricsAsync(revision, files, RunStopping.Token));
    }

    /// <summary>The workspace's metrics, by file and key.</summary>
    [CakeMethodAlias]
    public static IReadOnlyList<MetricValue> MetricsShow(this ICakeContext context, IEnumerable<IStage> stages)
    {
        var files = MetricsFiles(GraphOf(stages));
        return Run(context, async workspace =>
        {
            var diff = DiffOf(context, workspace);
            var values = new List<MetricValue>();
            foreach (var path in files)
            {
                values.AddRange((await diff.WorkspaceMetricsAsync(path, RunStopping.Token)).Select(pair => new MetricValue(path, pair.Key, pair.Value)));
            }

            return (IReadOnlyList<MetricValue>)values;
        });
    }

    /// <summary>
    /// The metrics at every commit <paramref name="scope"/> names (every commit, or the branches' and tags' heads),
    /// newest first, as <c>dvc metrics show -A</c>: one git process however many commits.
    /// </summary>
    [CakeMethodAlias]
    public static IReadOnlyList<RevisionMetrics> MetricsHistory(this ICakeContext context, IEnumerable<IStage> stages, ReferenceScope scope)
    {
        var files = MetricsFiles(GraphOf(stages));
        return Run(context, workspace => DiffOf(context, workspace).MetricsHistoryAsync(scope, files, RunStopping.Token));
    }

    /// <summary>Removes cache objects nothing in scope refers to, and the run-cache entries that pointed at them, as <c>dvc gc</c>.</summary>
    /// <example><code>CollectGarbage(new GcOptions(new ReferenceScope(AllBranches: true), DryRun: true));</code></example>
    [CakeMethodAlias]
    public static GcResult CollectGarbage(this ICakeContext context, GcOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Run(context, async workspace =>
        {
            var result = await new GarbageCollector(workspace, new GitRepository(workspace.Root)).CollectAsync(options, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            foreach (var hash in result.Removed)
            {
                log.Verbose($"{(options.DryRun ? "would remove" : "removed")} {hash}");
            }

            var scope = Referrers(options.Scope, result.RevisionsRead);
            var runs = result.RunCacheEntriesRemoved > 0 ? $" and {Count(result.RunCacheEntriesRemoved, "run-cache entry", "run-cache entries")}" : "";
            runs += result.TemporaryFilesRemoved > 0 ? $" and {Count(result.TemporaryFilesRemoved, "temporary file")} left by an interrupted transfer" : "";
            log.Information(options.DryRun
                ? $"Dry run: would remove {Count(result.Removed.Count, "cache object")} ({Bytes(result.BytesFreed)}){runs}; {result.Kept} referenced by {scope} would stay. Nothing was removed."
                : $"Removed {Count(result.Removed.Count, "cache object")} ({Bytes(result.BytesFreed)}){runs}; kept {result.Kept} referenced by {scope}.");
            return result;
        });
    }

    private static T Run<T>(ICakeContext context, Func<PipelineWorkspace, Task<T>> action) =>
        PipelineSession.UseAsync(context, async session => await action(await session.OpenAsync(context, RunStopping.Token))).GetAwaiter().GetResult();

    /// <summary>The graph of the stages an alias is handed, checked (two writers of one output, cycles: one line).</summary>
    internal static PipelineGraph GraphOf(IEnumerable<IStage> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        return PipelineGraph.Build(stages.Select(s => s.Definition));
    }

    private static RevisionDiff DiffOf(ICakeContext context, PipelineWorkspace workspace) =>
        new(workspace, new GitRepository(workspace.Root), new CakePipelineLog(context.Log));

    private static List<string> MetricsFiles(PipelineGraph graph) =>
        [.. graph.Stages.SelectMany(s => s.Metrics).Distinct().Order(StringComparer.Ordinal)];

    private static async Task<PipelineStatusReport> StatusAsync(PipelineWorkspace workspace, PipelineGraph graph, CakePipelineLog log)
    {
        var parameters = await workspace.LoadParametersAsync(RunStopping.Token);
        var lockFile = await workspace.LockFiles.ReadAsync(RunStopping.Token);
        var checker = new StatusChecker(workspace.WorkTree, workspace.Hasher);
        var cache = new CacheCommit(workspace.WorkTree, workspace.Hasher, workspace.Cache);
        var stale = new List<StageStatus>();
        var uncached = new List<string>();
        foreach (var stage in graph.Stages)
        {
            var status = await checker.CheckAsync(stage, lockFile.Find(stage.Name), parameters, RunStopping.Token);
            if (!status.IsUpToDate)
            {
                stale.Add(status);
                log.Information($"{stage.Name}: {status.Describe()}");
                continue;
            }

            foreach (var output in status.Current.Outputs)
            {
                if (!await cache.IsCachedAsync(output, RunStopping.Token))
                {
                    uncached.Add(output.Path);
                    log.Information($"{stage.Name}: output {output.Path} is not in the cache (Repro or Commit stores it from the workspace; Push needs it there)");
                }
            }
        }

        var tracked = new TrackedData(workspace);
        var changed = (await tracked.ChangedAsync(RunStopping.Token)).Select(c => new ChangedData(c.Pointer, c.How)).ToList();
        foreach (var (pointer, how) in changed)
        {
            log.Information($"{pointer.PointerPath}: {pointer.Tracked.Path} {how} (Add --path={pointer.Tracked.Path} to record it, Checkout to restore it)");
        }

        foreach (var pointer in await tracked.FindAsync(RunStopping.Token))
        {
            if (!changed.Any(c => c.PointerFile == pointer) && !await cache.IsCachedAsync(pointer.Tracked, RunStopping.Token))
            {
                uncached.Add(pointer.Tracked.Path);
                log.Information($"{pointer.PointerPath}: {pointer.Tracked.Path} is not in the cache (Commit stores it from the workspace; Push needs it there)");
            }
        }

        var report = new PipelineStatusReport(stale, changed, uncached);
        log.Information(report.Summary(graph.Stages.Length));
        return report;
    }
}

/// <summary>What <see cref="WorkspaceAliases.PipelineStatus"/> found.</summary>
/// <param name="Stale">The stages that are not up to date, each with why.</param>
/// <param name="ChangedData">The tracked paths whose workspace content differs from their pointer file.</param>
/// <param name="Uncached">Recorded paths (outputs of up-to-date stages, tracked data) that the cache lacks.</param>
public sealed record PipelineStatusReport(IReadOnlyList<StageStatus> Stale, IReadOnlyList<ChangedData> ChangedData, IReadOnlyList<string> Uncached)
{
    /// <summary>Whether nothing is stale, changed or missing from the cache.</summary>
    public bool IsUpToDate => Stale.Count == 0 && ChangedData.Count == 0 && Uncached.Count == 0;

    /// <summary>The one-line summary, for a pipeline of <paramref name="stages"/> stages.</summary>
    public string Summary(int stages)
    {
        var parts = new List<string>();
        if (Stale.Count > 0)
        {
            parts.Add($"{Stale.Count} of {stages} stages {(Stale.Count == 1 ? "is" : "are")} not up to date");
        }

        if (ChangedData.Count > 0)
        {
            parts.Add(ChangedData.Count == 1 ? "1 tracked path differs from its pointer file" : $"{ChangedData.Count} tracked paths differ from their pointer files");
        }

        if (Uncached.Count > 0)
        {
            parts.Add($"{Count(Uncached.Count, "recorded path")} not in the cache");
        }

        return parts.Count == 0 ? "Pipeline is up to date." : string.Join("; ", parts) + ".";
    }
}

/// <summary>A tracked path whose workspace content differs from its pointer file.</summary>
/// <param name="PointerFile">The pointer file.</param>
/// <param name="How"><c>modified</c> or <c>missing</c>.</param>
public sealed record ChangedData(PointerFile PointerFile, string How);

/// <summary>One metric of the workspace.</summary>
/// <param name="Path">The metrics file.</param>
/// <param name="Key">The metric's key (nested keys joined with dots).</param>
/// <param name="Value">Its value as written.</param>
public sealed record MetricValue(string Path, string Key, string Value);
