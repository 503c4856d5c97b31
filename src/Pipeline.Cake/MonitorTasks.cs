using Cake.Core;
using Cake.Core.Diagnostics;
using Pipeline.Core;
using Pipeline.Core.Execution;

namespace Pipeline.Cake;

/// <summary>The <c>Monitor</c> target: <see cref="MonitorAliases.Monitor"/> with the command line's options, failing on drift.</summary>
internal static class MonitorTasks
{
    public static void Register(Func<string, CakeTaskBuilder> task, PipelineSession session)
    {
        var defaults = new MonitorSettings();
        task("Monitor")
            .Description($"Tests the logged predictions for drift from the reference and writes {defaults.OutputFolder}/report.html and report.json; fails on drift, report.json's drift field telling drift from an error (--since=24h|7d|ISO-TIME, default all; --logs=DIR, default {defaults.Logs}, or --remote=NAME the services ship to; --reference=FILE, default {defaults.Reference}; --out=DIR; --alert raises a drift alert, --report-url=URL where its readers open the report)")
            .Does(context =>
            {
                var options = new TargetOptions(context);
                var result = context.Monitor(new MonitorSettings
                {
                    Since = options.Time("since", DateTimeOffset.UtcNow),
                    Logs = options.Text("logs", null, defaults.Logs)!,
                    Remote = options.Text("remote"),
                    Reference = options.Text("reference", null, defaults.Reference)!,
                    OutputFolder = session.Options.OutputFile ?? defaults.OutputFolder,
                });
                // The verdict is the target's result: a scheduled job fails, and says why in one line, when it drifted.
                if (result.AnyDrift)
                {
                    if (options.Flag("alert"))
                    {
                        RaiseAlert(context, session, result, options.Text("report-url"));
                    }

                    throw new CakeException(result.Summary());
                }

                context.Log.Information(result.Summary());
            });
    }

    // A failed alert is said, and the run still fails on the drift itself: the one line says both.
    private static void RaiseAlert(ICakeContext context, PipelineSession session, Pipeline.Monitoring.DriftResult result, string? reportUrl)
    {
        var publisher = session.Adapters.AlertPublisher?.Invoke(context)
            ?? throw new PipelineException("Monitor --alert: this pipeline has no alert publisher; its build definition sets PipelineAdapters.AlertPublisher");
        try
        {
            var alert = publisher.RaiseAsync(result, reportUrl, RunStopping.Token).GetAwaiter().GetResult();
            context.Log.Warning($"Raised the drift alert on {publisher.Place}: {alert}");
        }
        catch (PipelineException e)
        {
            context.Log.Error($"Monitor --alert: the drift alert was not raised: {e.Message}");
        }
    }
}
