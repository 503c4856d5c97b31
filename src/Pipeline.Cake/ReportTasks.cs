using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Stages;

namespace Pipeline.Cake;

/// <summary>The <c>Report</c> target: <see cref="ReportAliases.WriteExperimentReport"/> with the command line's options.</summary>
internal static class ReportTasks
{
    public static void Register(Func<string, CakeTaskBuilder> task, IReadOnlyList<IStage> stages, PipelineSession session) =>
        task("Report")
            .Description($"Writes the experiment report against a git revision: params, metrics, plots (--rev=REF, default HEAD; --out=FILE, default {new ExperimentReportSettings().OutputFile}, plots beside it; --publish [--pr=N] posts it on the pull request)")
            .Does(context =>
            {
                var settings = new ExperimentReportSettings { Revision = session.Options.Revision };
                settings = settings with
                {
                    OutputFile = session.Options.OutputFile ?? settings.OutputFile,
                    Publisher = new TargetOptions(context).Flag("publish")
                        ? session.Adapters.ReportPublisher?.Invoke(context)
                            ?? throw new PipelineException("Report --publish: this pipeline has no report publisher; its build definition sets PipelineAdapters.ReportPublisher")
                        : null,
                };
                context.WriteExperimentReport(stages, settings);
            });
}
