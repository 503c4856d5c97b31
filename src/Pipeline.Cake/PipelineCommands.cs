using System.Text;
using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Diffs;
using Pipeline.Core.Git;
using Pipeline.Core.Graph;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Status;
using Pipeline.Core.Tracking;
using Pipeline.Storage;
using Pipeline.Core.Execution;

using static Pipeline.Cake.Amounts;

namespace Pipeline.Cake;

/// <summary>The targets besides <c>Repro</c>: status, data tracking, the graph, diffs against git and garbage collection.</summary>
internal static class PipelineCommands
{
    public static void Register(Func<string, CakeTaskBuilder> task, PipelineGraph graph, PipelineSession session)
    {
        task(PipelineTasks.Status).Description("Lists the stages that are not up to date, and tracked data that changed, and exactly why")
            .Does(context => StatusAsync(context, graph, session));
        task("Add").Description("Tracks a raw input file or folder: caches it and writes PATH.ptr beside it (--path=PATH)")
            .Does(context => AddAsync(context, graph, session));
        task("Commit").Description("Stores in the cache, from the workspace, what pipeline.lock and the .ptr files record and the cache lacks")
            .Does(context => CommitAsync(context, session));
        task("Checkout").Description("Makes outputs and tracked data match pipeline.lock and the .ptr files, restoring from the cache")
            .Does(context => CheckoutAsync(context, session));
        task("Dag").Description("Shows the stage graph (--format=text or mermaid)")
            .Does(context => Dag(context, graph, session));
        task("ParamsDiff").Description("Compares params.yaml with a git revision (--rev=REF, --all, --format=md, --out=FILE)")
            .Does(context => ParamsDiffAsync(context, session));
        task("MetricsDiff").Description("Compares the metrics with a git revision (--rev=REF, --all, --format=md, --out=FILE)")
            .Does(context => MetricsDiffAsync(context, graph, session));
        task("MetricsShow").Description("Shows the workspace's metrics (--format=md, --out=FILE)")
            .Does(context => MetricsShowAsync(context, graph, session));
        task("Gc").Description("Removes cache objects nothing refers to (--all-branches, --all-tags, --all-commits, --dry-run)")
            .Does(context => GcAsync(context, session));
    }

    private static async Task StatusAsync(ICakeContext context, PipelineGraph graph, PipelineSession session)
    {
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        var parameters = await workspace.LoadParametersAsync(RunStopping.Token);
        var lockFile = await workspace.LockFiles.ReadAsync(RunStopping.Token);
        var checker = new StatusChecker(workspace.WorkTree, workspace.Hasher);
        var cache = new CacheCommit(workspace.WorkTree, workspace.Hasher, workspace.Cache);
        var log = new CakePipelineLog(context.Log);
        var stale = 0;
        var uncached = 0;
        foreach (var stage in graph.Stages)
        {
            var status = await checker.CheckAsync(stage, lockFile.Find(stage.Name), parameters, RunStopping.Token);
            if (!status.IsUpToDate)
            {
                stale++;
                log.Information($"{stage.Name}: {status.Describe()}");
                continue;
            }

            foreach (var output in status.Current.Outputs)
            {
                if (!await cache.IsCachedAsync(output, RunStopping.Token))
                {
                    uncached++;
                    log.Information($"{stage.Name}: output {output.Path} is not in the cache (Repro or Commit stores it from the workspace; Push needs it there)");
                }
            }
        }

        var changedData = await new TrackedData(workspace).ChangedAsync(RunStopping.Token);
        foreach (var (pointer, how) in changedData)
        {
            log.Information($"{pointer.PointerPath}: {pointer.Tracked.Path} {how} (Add --path={pointer.Tracked.Path} to record it, Checkout to restore it)");
        }

        foreach (var pointer in await new TrackedData(workspace).FindAsync(RunStopping.Token))
        {
            if (!changedData.Any(c => c.Pointer == pointer) && !await cache.IsCachedAsync(pointer.Tracked, RunStopping.Token))
            {
                uncached++;
                log.Information($"{pointer.PointerPath}: {pointer.Tracked.Path} is not in the cache (Commit stores it from the workspace; Push needs it there)");
            }
        }

        var summary = new List<string>();
        if (stale > 0)
        {
            summary.Add($"{stale} of {graph.Stages.Length} stages {(stale == 1 ? "is" : "are")} not up to date");
        }

        if (changedData.Count > 0)
        {
            summary.Add(changedData.Count == 1 ? "1 tracked path differs from its pointer file" : $"{changedData.Count} tracked paths differ from their pointer files");
        }

        if (uncached > 0)
        {
            summary.Add($"{Count(uncached, "recorded path")} not in the cache");
        }

        log.Information(summary.Count == 0 ? "Pipeline is up to date." : string.Join("; ", summary) + ".");
    }

    private static async Task AddAsync(ICakeContext context, PipelineGraph graph, PipelineSession session)
    {
        var path = session.Options.TrackPath is { Length: > 0 } given
            ? given
            : throw new PipelineException("Add: --path=PATH is required (the file or folder to track, such as --path=data/raw)");
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        var pointer = await new TrackedData(workspace).AddAsync(path, graph.Stages, RunStopping.Token);
        var content = pointer.Tracked.Content;
        var files = content.FileCount is { } count ? $"{count} files, " : "";
        var folder = Path.GetDirectoryName(pointer.Tracked.Path) is { Length: > 0 } parent ? parent + "/" : "";
        new CakePipelineLog(context.Log).Information(
            $"Added {pointer.Tracked.Path} ({files}{Bytes(content.Size)}) to the cache; commit {pointer.PointerPath} and {folder}.gitignore");
    }

    private static async Task CommitAsync(ICakeContext context, PipelineSession session)
    {
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        var recorded = await RecordedPath.ReadAllAsync(workspace, RunStopping.Token);
        var result = await new CacheCommit(workspace.WorkTree, workspace.Hasher, workspace.Cache).CommitAsync(recorded.Select(p => p.State), RunStopping.Token);
        var log = new CakePipelineLog(context.Log);
        foreach (var path in result.Stored)
        {
            log.Information($"Stored {path.Path} in the cache from the workspace ({Count(path.Objects, "object")})");
        }

        log.Information($"{Count(result.Stored.Count, "path")} stored, {recorded.Count - result.Stored.Count - result.Unavailable.Count} already in the cache.");
        if (result.Unavailable.Count > 0)
        {
            throw new PipelineException(
                $"Commit: {Count(result.Unavailable.Count, "path")} in neither the cache nor the workspace as recorded ({string.Join(", ", result.Unavailable)}); Pull fetches them from a remote, Repro rebuilds outputs");
        }
    }

    private static async Task CheckoutAsync(ICakeContext context, PipelineSession session)
    {
        var workspace = await session.OpenAsync(context, RunStopping.Token);
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
        if (result.Failed.Count > 0)
        {
            var failed = string.Join("; ", result.Failed.Select(f => $"{f.Path}: {f.Why}"));
            throw new PipelineException($"Checkout: {Count(result.Failed.Count, "path")} could not be restored ({failed}); run Repro to rebuild outputs");
        }
    }

    private static Task Dag(ICakeContext context, PipelineGraph graph, PipelineSession session)
    {
        var text = session.Options.FormatOf("text", "mermaid") == "mermaid" ? DagWriter.ToMermaid(graph) : DagWriter.ToText(graph);
        return ReportAsync(context, session, text);
    }

    private static async Task ParamsDiffAsync(ICakeContext context, PipelineSession session)
    {
        var format = TableFormatOf(session);
        var diff = await RevisionDiffAsync(context, session);
        var rows = await diff.ParamsAsync(session.Options.Revision, RunStopping.Token);
        await ReportAsync(context, session, DiffReport(rows, session, "parameter", format));
    }

    private static async Task MetricsDiffAsync(ICakeContext context, PipelineGraph graph, PipelineSession session)
    {
        var format = TableFormatOf(session);
        var diff = await RevisionDiffAsync(context, session);
        var rows = await diff.MetricsAsync(session.Options.Revision, MetricsFiles(graph), RunStopping.Token);
        await ReportAsync(context, session, DiffReport(rows, session, "metric", format));
    }

    private static async Task MetricsShowAsync(ICakeContext context, PipelineGraph graph, PipelineSession session)
    {
        var format = TableFormatOf(session);
        var diff = await RevisionDiffAsync(context, session);
        var rows = new List<string[]>();
        foreach (var path in MetricsFiles(graph))
        {
            var values = await diff.WorkspaceMetricsAsync(path, RunStopping.Token);
            rows.AddRange(values.Select(pair => new[] { path, pair.Key, pair.Value }));
        }

        await ReportAsync(context, session, rows.Count == 0
            ? "No metrics in the workspace; run Repro to write them.\n"
            : DiffTable.Format(["Path", "Key", "Value"], rows, format));
    }

    private static async Task GcAsync(ICakeContext context, PipelineSession session)
    {
        var options = session.Options;
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        var collector = new GarbageCollector(workspace, new GitRepository(workspace.Root));
        var gc = new GcOptions(options.Scope, options.DryRun);
        var result = await collector.CollectAsync(gc, RunStopping.Token);
        var log = new CakePipelineLog(context.Log);
        foreach (var hash in result.Removed)
        {
            log.Verbose($"{(options.DryRun ? "would remove" : "removed")} {hash}");
        }

        var scope = Referrers(gc.Scope, result.RevisionsRead);
        var runs = result.RunCacheEntriesRemoved > 0 ? $" and {Count(result.RunCacheEntriesRemoved, "run-cache entry", "run-cache entries")}" : "";
        runs += result.TemporaryFilesRemoved > 0 ? $" and {Count(result.TemporaryFilesRemoved, "temporary file")} left by an interrupted transfer" : "";
        log.Information(options.DryRun
            ? $"Dry run: would remove {Count(result.Removed.Count, "cache object")} ({Bytes(result.BytesFreed)}){runs}; {result.Kept} referenced by {scope} would stay. Nothing was removed."
            : $"Removed {Count(result.Removed.Count, "cache object")} ({Bytes(result.BytesFreed)}){runs}; kept {result.Kept} referenced by {scope}.");
    }

    private static async Task<RevisionDiff> RevisionDiffAsync(ICakeContext context, PipelineSession session)
    {
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        return new RevisionDiff(workspace, new GitRepository(workspace.Root), new CakePipelineLog(context.Log));
    }

    private static string DiffReport(IReadOnlyList<DiffRow> rows, PipelineSession session, string what, TableFormat format)
    {
        var shown = session.Options.ShowAll ? rows : [.. rows.Where(r => r.IsChanged)];
        return shown.Count == 0
            ? $"No {what} changes against {session.Options.Revision}.\n"
            : DiffTable.Format(shown, format);
    }

    private static TableFormat TableFormatOf(PipelineSession session) =>
        session.Options.FormatOf("text", "md") == "md" ? TableFormat.Markdown : TableFormat.Text;

    private static IEnumerable<string> MetricsFiles(PipelineGraph graph) =>
        graph.Stages.SelectMany(s => s.Metrics).Distinct().Order(StringComparer.Ordinal);

    private static async Task ReportAsync(ICakeContext context, PipelineSession session, string text)
    {
        if (session.Options.OutputFile is { Length: > 0 } file)
        {
            var path = Path.Combine(context.Environment.WorkingDirectory.FullPath, file);
            await AtomicFile.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(text), RunStopping.Token);
            new CakePipelineLog(context.Log).Information($"Wrote {file}");
            return;
        }

        var log = new CakePipelineLog(context.Log);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            log.Information(line);
        }
    }
}
