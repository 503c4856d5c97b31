using Cake.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Workspace;

namespace Pipeline.Cake;

/// <summary>
/// A target that brings a stage up to date by running it somewhere else (a training pod, say) when it must run:
/// the stages upstream run as usual, a stage that is up to date or restorable is handled locally, and otherwise
/// <see cref="Execute"/> runs it and adopts its outputs (see <see cref="StageRunner.AdoptAsync"/>).
/// </summary>
/// <param name="Target">The target's name, e.g. <c>TrainRemote</c>.</param>
/// <param name="Stage">The stage it runs elsewhere.</param>
/// <param name="Description">What <c>--description</c> shows.</param>
/// <param name="Execute">Runs the stage elsewhere and records its outputs.</param>
public sealed record RemoteStageTarget(string Target, string Stage, string Description, Func<RemoteStageRunContext, Task> Execute)
{
    /// <summary>Where it runs the stage, as <c>ExpRun --on=PLACE</c> names it (such as <c>kubernetes</c>); null when experiments cannot go there.</summary>
    public string? Place { get; init; }

    /// <summary>
    /// Runs the stage runs of many experiments together (one Indexed Job, say) and returns each result, in order; its
    /// <see cref="Execute"/> hands a run over through <see cref="TrialHandoff"/> instead of running it when the Cake
    /// run has one. Null when it cannot.
    /// </summary>
    public Func<ICakeContext, TrialBatch, IPipelineLog, CancellationToken, Task<IReadOnlyList<TrialResult>>>? RunTrials { get; init; }
}

/// <summary>What a <see cref="RemoteStageTarget"/> gets to run its stage.</summary>
/// <param name="Cake">The Cake context (arguments, configuration, log).</param>
/// <param name="Session">The run's session, through which it reaches the data remote.</param>
/// <param name="Workspace">The open, locked workspace.</param>
/// <param name="Runner">The stage runner, to adopt the outputs.</param>
/// <param name="Plan">Why the stage must run, and its current inputs.</param>
public sealed record RemoteStageRunContext(ICakeContext Cake, PipelineSession Session, PipelineWorkspace Workspace, StageRunner Runner, StagePlan Plan);
