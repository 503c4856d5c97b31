using Cake.Core;
using Pipeline.Remotes;
using Pipeline.Reports;
using Pipeline.Reports.Monitoring;

namespace Pipeline.Cake;

/// <summary>
/// What a pipeline reaches outside its repository, as its composition root (<c>build/</c>) wires it in: the kinds of
/// data remote it can open, where reports are published and alerts raised, and targets that run a stage elsewhere.
/// The engine and these targets know none of them by name.
/// </summary>
public sealed record PipelineAdapters
{
    /// <summary>The kinds of remote <c>pipeline.remotes.yaml</c> may name; folders only unless more are added.</summary>
    public RemoteKinds RemoteKinds { get; init; } = new();

    /// <summary>Where <c>Report --publish</c> publishes, made from the run's context; null when nothing is configured.</summary>
    public Func<ICakeContext, IReportPublisher>? ReportPublisher { get; init; }

    /// <summary>Where <c>Monitor --alert</c> raises a drift alert, made from the run's context; null when nothing is configured.</summary>
    public Func<ICakeContext, IAlertPublisher>? AlertPublisher { get; init; }

    /// <summary>Targets that run a stage elsewhere (see <see cref="RemoteStageTarget"/>).</summary>
    public IReadOnlyList<RemoteStageTarget> RemoteStageTargets { get; init; } = [];
}
