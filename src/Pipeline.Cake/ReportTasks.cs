using System.Text;
using Cake.Core;
using Cake.Core.Diagnostics;
using Pipeline.Core;
using Pipeline.Core.Git;
using Pipeline.Core.Graph;
using Pipeline.Reports;
using Pipeline.Storage;
using Pipeline.Core.Execution;

namespace Pipeline.Cake;

/// <summary>The <c>Report</c> target: the experiment report of the workspace against a base revision.</summary>
internal static class ReportTasks
{
    private const string DefaultFile = "report/report.md";

    public static void Register(Func<string, CakeTaskBuilder> task, PipelineGraph graph, PipelineSession session) =>
        task("Report")
            .Description($"Writes the experiment report against a git revision: params, metrics, plots (--rev=REF, default HEAD; --out=FILE, default {DefaultFile}, plots beside it; --publish [--pr=N] posts it on the pull request)")
            .Does(context => WriteAsync(context, graph, session));

    private static async Task WriteAsync(ICakeContext context, PipelineGraph graph, PipelineSession session)
    {
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        var baseRevision = session.Options.Revision;
        var path = workspace.Resolve(session.Options.OutputFile ?? DefaultFile);
        var folder = Path.GetDirectoryName(path)!;
        var builder = new ExperimentReportBuilder(workspace, new GitRepository(workspace.Root), new CakePipelineLog(context.Log));
        var report = await builder.BuildAsync(
            baseRevision,
            graph.Stages.SelectMany(s => s.Metrics),
            [.. graph.Stages.SelectMany(s => s.Plots)],
            folder,
            RunStopping.Token);
        await AtomicFile.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(MarkdownReport.Render(report, image => image)), RunStopping.Token);
        context.Log.Information("Wrote {0} ({1} changed params, {2} metrics, {3} plots against {4})",
            Path.GetRelativePath(workspace.Root, path), report.Parameters.Length, report.Metrics.Length, report.Plots.Length, baseRevision);
        if (new TargetOptions(context).Flag("publish"))
        {
            var publisher = session.Adapters.ReportPublisher?.Invoke(context)
                ?? throw new PipelineException("Report --publish: this pipeline has no report publisher; its build definition sets PipelineAdapters.ReportPublisher");
            var url = await publisher.PublishAsync(report, folder, RunStopping.Token);
            context.Log.Information("Published the report on {0}: {1}", publisher.Place, url);
        }
    }
}
