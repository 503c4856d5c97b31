using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Stages;

namespace Pipeline.Cake;

/// <summary>
/// The <c>Report</c>, <c>Plots</c> and <c>PlotsDiff</c> targets: <see cref="ReportAliases.WriteExperimentReport"/> and
/// <see cref="PlotAliases.WritePlots"/> with the command line's options.
/// </summary>
internal static class ReportTasks
{
    public static void Register(Func<string, CakeTaskBuilder> task, IReadOnlyList<IStage> stages, PipelineSession session)
    {
        var page = new PlotsSettings().OutputFile;
        task("Plots")
            .Description($"Writes the plots page: the stages' data plots as interactive charts, their image plots beside them (--out=FILE, default {page}; opens offline)")
            .Does(context => context.WritePlots(stages, new PlotsSettings { OutputFile = session.Options.OutputFile ?? page }));
        task("PlotsDiff")
            .Description($"Writes the plots page with other revisions' and experiments' plots on the same charts as the workspace's (--rev=REF[,EXPERIMENT...], default HEAD; --out=FILE, default {page})")
            .Does(context => context.WritePlots(stages, new PlotsSettings
            {
                Versions = session.Options.Revision.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                OutputFile = session.Options.OutputFile ?? page,
            }));
        task("Report")
            .Description($"Writes the experiment report against a git revision: params, metrics, plots (--rev=REF, default HEAD; --out=FILE, default {new ExperimentReportSettings().OutputFile}, plots beside it; --publish [--pr=N] posts it on the pull request; --plots-url=URL where its readers open the plots page)")
            .Does(context =>
            {
                var settings = new ExperimentReportSettings { Revision = session.Options.Revision };
                settings = settings with
                {
                    OutputFile = session.Options.OutputFile ?? settings.OutputFile,
                    PlotsPageUrl = new TargetOptions(context).Text("plots-url"),
                    Publisher = new TargetOptions(context).Flag("publish")
                        ? session.Adapters.ReportPublisher?.Invoke(context)
                            ?? throw new PipelineException("Report --publish: this pipeline has no report publisher; its build definition sets PipelineAdapters.ReportPublisher")
                        : null,
                };
                context.WriteExperimentReport(stages, settings);
            });
    }
}
