using Cake.Core;
using Cake.Core.Diagnostics;
using Pipeline.Core.Graph;
using Pipeline.Core.Stages;
using Pipeline.Core.Status;

namespace Pipeline.Cake;

/// <summary>
/// Registers a pipeline with Cake: one task per stage, depending on the stages whose outputs it reads, so that
/// Cake's own engine orders and runs the graph; plus the <c>Repro</c> and <c>Status</c> targets.
/// </summary>
public static class PipelineTasks
{
    /// <summary>The target that brings every stage up to date.</summary>
    public const string Repro = "Repro";

    /// <summary>The target that lists stale stages and why.</summary>
    public const string Status = "Status";

    /// <summary>
    /// Registers the stages and targets; call from <c>build.cake</c> as
    /// <c>RunTarget(PipelineTasks.Register(Context, Task, Teardown, stages))</c>.
    /// </summary>
    /// <param name="context">The script's Cake context.</param>
    /// <param name="task">The script's <c>Task</c> method.</param>
    /// <param name="teardown">The script's <c>Teardown</c> method.</param>
    /// <param name="stages">The pipeline's stages.</param>
    /// <returns>The target to run: <c>--target</c>, else the stage named by <c>--stage</c>, else <c>Repro</c>.</returns>
    /// <exception cref="Core.PipelineException">The stages do not form a valid graph, or <c>--stage</c> names no stage.</exception>
    public static string Register(
        ICakeContext context,
        Func<string, CakeTaskBuilder> task,
        Action<Action<ITeardownContext>> teardown,
        IEnumerable<IStage> stages)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(teardown);
        var graph = PipelineGraph.Build(stages.Select(s => s.Definition));
        var options = PipelineOptions.From(context);
        var session = new PipelineSession(options);
        teardown(_ => session.DisposeAsync().AsTask().GetAwaiter().GetResult());

        foreach (var stage in graph.Stages)
        {
            RegisterStage(task, graph, stage, session);
        }

        task(Repro)
            .Description("Brings every stage up to date, running only what changed (--stage=NAME for one stage and its upstream, --force to run anyway)")
            .IsDependentOn(graph.Stages.Select(s => s.Name));
        task(Status)
            .Description("Lists the stages that are not up to date and exactly why")
            .Does(context => ShowStatusAsync(context, graph, session));

        var target = context.Arguments.HasArgument("target") ? context.Arguments.GetArgument("target") : Repro;
        return options.Stage is { } name && target == Repro ? graph.Find(name).Name : target;
    }

    private static void RegisterStage(Func<string, CakeTaskBuilder> task, PipelineGraph graph, StageDefinition stage, PipelineSession session) =>
        task(stage.Name)
            .Description($"Stage: {stage.Command}")
            .IsDependentOn(graph.UpstreamOf(stage.Name))
            .Does(async context =>
            {
                var runner = await session.RunnerAsync(context, CancellationToken.None);
                await runner.ReproduceAsync(stage, new Core.Execution.ReproOptions(session.Options.Force), CancellationToken.None);
            });

    private static async Task ShowStatusAsync(ICakeContext context, PipelineGraph graph, PipelineSession session)
    {
        var workspace = await session.OpenAsync(context, CancellationToken.None);
        var parameters = await workspace.LoadParametersAsync(CancellationToken.None);
        var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);
        var checker = new StatusChecker(workspace);
        var stale = 0;
        foreach (var stage in graph.Stages)
        {
            var status = await checker.CheckAsync(stage, lockFile.Find(stage.Name), parameters, CancellationToken.None);
            if (!status.IsUpToDate)
            {
                stale++;
                context.Log.Information("{0}: {1}", stage.Name, status.Describe());
            }
        }

        context.Log.Information(stale == 0 ? "Pipeline is up to date." : $"{stale} of {graph.Stages.Length} stages are not up to date.");
    }
}
