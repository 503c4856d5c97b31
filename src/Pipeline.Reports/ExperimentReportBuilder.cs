using System.Collections.Immutable;
using Pipeline.Core.Diffs;
using Pipeline.Core.Experiments;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Objects;
using Pipeline.Storage.Hashing;
using Pipeline.Reports.Plots;

namespace Pipeline.Reports;

/// <summary>
/// Gathers an experiment report: parameter and metric diffs against a base revision, and the plots of both sides
/// copied into the report folder (the base's from the cache, by the hashes its lock file recorded).
/// </summary>
/// <param name="workspace">The repository.</param>
/// <param name="git">Its git repository.</param>
/// <param name="log">Where to say what is missing.</param>
public sealed class ExperimentReportBuilder(PipelineWorkspace workspace, GitRepository git, IPipelineLog log)
{
    private const string BaseFolder = "base";
    private const string WorkspaceFolder = "workspace";

    /// <summary>Builds the report, copying plot images below <paramref name="plotsFolder"/>.</summary>
    /// <param name="baseRevision">The revision to compare with, e.g. <c>main</c>.</param>
    /// <param name="metricsFiles">The pipeline's metrics files.</param>
    /// <param name="plotPaths">The pipeline's plot files and folders.</param>
    /// <param name="plotsFolder">A folder of the report's own, where the images go; emptied first.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task<ExperimentReport> BuildAsync(
        string baseRevision, IEnumerable<string> metricsFiles, IReadOnlyList<string> plotPaths, string plotsFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plotPaths);
        var diff = new RevisionDiff(workspace, git, log);
        var parameters = await diff.ParamsAsync(baseRevision, cancellationToken);
        var metrics = await diff.MetricsAsync(baseRevision, metricsFiles, cancellationToken);
        var head = await git.ResolveAsync("HEAD", cancellationToken);
        ResetFolder(plotsFolder);
        var basePlots = await CopyBasePlotsAsync(baseRevision, plotPaths, Path.Combine(plotsFolder, BaseFolder), cancellationToken);
        var workspacePlots = CopyWorkspacePlots(plotPaths, Path.Combine(plotsFolder, WorkspaceFolder));
        return new ExperimentReport(
            head[..7],
            baseRevision,
            [.. parameters.Where(r => r.IsChanged)],
            [.. metrics],
            Pair(basePlots, workspacePlots))
        {
            Experiments = await BranchExperimentsAsync(baseRevision, cancellationToken),
        };
    }

    // The experiments run on a commit of the branch, that is one reachable from HEAD but not from the base revision.
    private async Task<ExperimentList> BranchExperimentsAsync(string baseRevision, CancellationToken cancellationToken)
    {
        var branch = (await git.CommitsSinceAsync(baseRevision, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var records = (await ExperimentStore.Of(workspace).ListAsync(cancellationToken)).Where(r => branch.Contains(r.BaseCommit)).ToList();
        var (header, rows) = ExperimentTable.Of(records, all: false);
        return new ExperimentList(records.Count == 0 ? [] : header, rows);
    }

    private async Task<ImmutableSortedSet<string>> CopyBasePlotsAsync(
        string revision, IReadOnlyList<string> plotPaths, string target, CancellationToken cancellationToken)
    {
        var recorded = (await new RecordedFiles(workspace, git).RevisionAsync(revision, cancellationToken)).LockFile.Stages.Values.SelectMany(s => s.Outputs).ToList();
        foreach (var plot in plotPaths)
        {
            if (recorded.FirstOrDefault(o => o.Path == plot) is { } output)
            {
                await RestoreAsync(plot, output.Content.Hash, Path.Combine(target, plot), revision, cancellationToken);
            }
        }

        return ListImages(target);
    }

    private async Task RestoreAsync(string plot, ContentHash hash, string target, string revision, CancellationToken cancellationToken)
    {
        try
        {
            await workspace.Checkout.RestoreAsync(hash, target, cancellationToken);
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException)
        {
            log.Warning($"{plot} at {revision}: {e.Message}; the report shows no base image for it (pull the cache first)");
        }
    }

    private ImmutableSortedSet<string> CopyWorkspacePlots(IReadOnlyList<string> plotPaths, string target)
    {
        foreach (var plot in plotPaths)
        {
            var source = workspace.Resolve(plot);
            if (Directory.Exists(source))
            {
                foreach (var file in ContentHasher.ListFiles(source))
                {
                    Copy(Path.Combine(source, file), Path.Combine(target, plot, file));
                }
            }
            else if (File.Exists(source))
            {
                Copy(source, Path.Combine(target, plot));
            }
        }

        return ListImages(target);
    }

    private static ImmutableArray<PlotPair> Pair(ImmutableSortedSet<string> basePlots, ImmutableSortedSet<string> workspacePlots) =>
    [
        .. basePlots.Union(workspacePlots).Select(name => new PlotPair(
            name,
            basePlots.Contains(name) ? $"{BaseFolder}/{name}" : null,
            workspacePlots.Contains(name) ? $"{WorkspaceFolder}/{name}" : null)),
    ];

    private static ImmutableSortedSet<string> ListImages(string folder) =>
        Directory.Exists(folder)
            ? [.. ContentHasher.ListFiles(folder).Where(ImageFiles.IsImage)]
            : ImmutableSortedSet<string>.Empty;

    private static void Copy(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: true);
    }

    private void ResetFolder(string folder)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspace.Root));
        if (root == full || root.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{folder}: a report's plots folder must be inside the repository, below its root", nameof(folder));
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
    }
}
