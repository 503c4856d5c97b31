using System.Text;
using Cake.Core;
using Cake.Core.Annotations;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;
using Pipeline.Reports;
using Pipeline.Reports.Plots;
using Pipeline.Storage;

namespace Pipeline.Cake;

/// <summary>
/// The experiment report from a build script, as CML's report: parameters, metrics and plots of the workspace against
/// a base revision, as Markdown with the plots beside it, optionally published (on a pull request, say). The
/// ready-made <c>Report</c> target is this alias with the command line's options.
/// </summary>
[CakeAliasCategory("Pipeline reports")]
public static class ReportAliases
{
    private const string PlotsPageFile = "plots.html";

    /// <summary>Writes the report of the workspace against <see cref="ExperimentReportSettings.Revision"/>, and publishes it when a publisher is set.</summary>
    /// <example><code>WriteExperimentReport(stages, new ExperimentReportSettings { Revision = "main", OutputFile = "report/pr.md" });</code></example>
    /// <returns>The report as written.</returns>
    [CakeMethodAlias]
    public static ExperimentReport WriteExperimentReport(this ICakeContext context, IEnumerable<IStage> stages, ExperimentReportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var graph = WorkspaceAliases.GraphOf(stages);
        return PipelineSession.UseAsync(context, async session =>
        {
            var workspace = await session.OpenAsync(context, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            var path = workspace.Resolve(settings.OutputFile);
            // The plots go to a folder of the report's own beside it, the only folder the report empties: a report
            // written anywhere, the repository's root included, never touches other files.
            var plots = Path.Combine(Path.GetDirectoryName(path)!, $"{Path.GetFileNameWithoutExtension(path)}.plots");
            var builder = new ExperimentReportBuilder(workspace, new GitRepository(workspace.Root), log);
            var report = await builder.BuildAsync(
                settings.Revision, graph.Stages.SelectMany(s => s.Metrics), [.. graph.Stages.SelectMany(s => s.Plots)], plots, RunStopping.Token);
            if (graph.Stages.Any(s => !s.DataPlots.IsEmpty))
            {
                var page = Path.Combine(plots, PlotsPageFile);
                await new PlotsPageBuilder(workspace, new GitRepository(workspace.Root), log).WriteAsync(graph.Stages, [settings.Revision], page, RunStopping.Token);
                report = report with { PlotsPage = new PlotsPageLink(Path.GetRelativePath(workspace.Root, page).Replace('\\', '/'), settings.PlotsPageUrl) };
            }

            // The file beside the report links the page beside it; a published report only where a reader can open it.
            var local = report.PlotsPage is { Url: null } link ? report with { PlotsPage = link with { Url = $"{Path.GetFileName(plots)}/{PlotsPageFile}" } } : report;
            await AtomicFile.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(MarkdownReport.Render(local, image => $"{Path.GetFileName(plots)}/{image}")), RunStopping.Token);
            log.Information($"Wrote {Path.GetRelativePath(workspace.Root, path)} ({report.Parameters.Length} changed params, {report.Metrics.Length} metrics, {report.Plots.Length} plots against {settings.Revision})");
            if (settings.Publisher is { } publisher)
            {
                var url = await publisher.PublishAsync(report, plots, RunStopping.Token);
                log.Information($"Published the report on {publisher.Place}: {url}");
            }

            return report;
        }).GetAwaiter().GetResult();
    }
}

/// <summary>What <see cref="ReportAliases.WriteExperimentReport"/> compares and where it writes.</summary>
public sealed record ExperimentReportSettings
{
    /// <summary>The git revision the workspace is compared with.</summary>
    public string Revision { get; init; } = "HEAD";

    /// <summary>The Markdown file, repository-relative; the plots go beside it.</summary>
    public string OutputFile { get; init; } = "report/report.md";

    /// <summary>
    /// Where readers of a published report open its plots page (written beside the report's images), such as the CI
    /// run whose artifacts hold it; when null, the published report names the file.
    /// </summary>
    public string? PlotsPageUrl { get; init; }

    /// <summary>Where the report is published once written; not published when null.</summary>
    public IReportPublisher? Publisher { get; init; }
}
