using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Graph;
using Pipeline.Core.Stages;

namespace Pipeline.Cake;

/// <summary>
/// Registers a pipeline with Cake: one task per stage, depending on the stages whose outputs it reads, so that
/// Cake's own engine orders and runs the graph; plus the targets people use every day (<c>Repro</c>, <c>Status</c>,
/// <c>Add</c>, <c>Checkout</c>, <c>Dag</c>, <c>ParamsDiff</c>, <c>MetricsDiff</c>, <c>MetricsShow</c>, <c>Gc</c>).
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
    /// <exception cref="PipelineException">The stages do not form a valid graph, or an option names no stage.</exception>
    // An overload rather than an optional parameter: Cake's script cache keeps scripts compiled against this signature.
    public static string Register(ICakeContext context, Func<string, CakeTaskBuilder> task, Action<Action<ITeardownContext>> teardown, IEnumerable<IStage> stages) =>
        Register(context, task, teardown, stages, new PipelineAdapters());

    /// <summary>
    /// Registers the stages, the everyday targets, the data-remote targets (<c>Push</c>, <c>Pull</c>, <c>Fetch</c>,
    /// <c>RemoteStatus</c>, <c>RemoteGc</c>), <c>Report</c> and <c>CommitLock</c>, all sharing one session: one repository lock per run.
    /// </summary>
    /// <param name="context">The script's Cake context.</param>
    /// <param name="task">The script's <c>Task</c> method.</param>
    /// <param name="teardown">The script's <c>Teardown</c> method.</param>
    /// <param name="stages">The pipeline's stages.</param>
    /// <param name="adapters">What the composition root wires in: kinds of remote, a report publisher, targets that run a stage elsewhere.</param>
    /// <returns>The target to run: <c>--target</c>, else the stage named by <c>--stage</c>, else <c>Repro</c>.</returns>
    /// <exception cref="PipelineException">The stages do not form a valid graph, or an option names no stage.</exception>
    public static string Register(
        ICakeContext context,
        Func<string, CakeTaskBuilder> task,
        Action<Action<ITeardownContext>> teardown,
        IEnumerable<IStage> stages,
        PipelineAdapters adapters)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(teardown);
        ArgumentNullException.ThrowIfNull(adapters);
        IReadOnlyList<IStage> stageList = [.. stages];
        var graph = PipelineGraph.Build(stageList.Select(s => s.Definition));
        var options = PipelineOptions.From(context);
        var session = new PipelineSession(options, adapters);
        session.Attach(context);
        teardown(_ => session.DisposeAsync().AsTask().GetAwaiter().GetResult());

        var selection = ReproSelection.From(graph, options);
        var target = context.Arguments.HasArgument("target") ? context.Arguments.GetArgument("target") : Repro;
        var remotes = adapters.RemoteStageTargets;
        foreach (var stage in graph.Stages)
        {
            var remote = remotes.FirstOrDefault(r => r.Stage == stage.Name && r.Target == target);
            RegisterStage(task(stage.Name), graph, stage, session, selection, remote);
        }

        foreach (var remote in remotes)
        {
            task(remote.Target).Description(remote.Description).IsDependentOn(graph.Find(remote.Stage).Name);
        }

        var repro = task(Repro)
            .Description("Brings every stage up to date, running only what changed (--stage, --downstream, --force, --force-stage, --dry-run, --jobs)");
        var parallel = options.Jobs > 1 && !options.DryRun && target == Repro;
        if (parallel)
        {
            repro.Does(context => ReproduceInParallelAsync(context, graph, selection, session));
        }
        else
        {
            repro.IsDependentOn(graph.Stages.Select(s => s.Name));
        }

        PipelineCommands.Register(task, stageList, graph, session);
        RemoteTasks.Register(task, session);
        ReportTasks.Register(task, stageList, session);
        MonitorTasks.Register(task, session);
        CommitTasks.Register(task, stageList);

        return options.Stage is { } name && target == Repro && !parallel ? graph.Find(name).Name : target;
    }

    // Cake runs tasks one at a time, so with --jobs the Repro target schedules the stages itself: the same selection
    // and the same stage runner as the stage tasks, each stage's command output as prefixed lines.
    private static async Task ReproduceInParallelAsync(ICakeContext context, PipelineGraph graph, ReproSelection selection, PipelineSession session)
    {
        var options = session.Options;
        var stages = (options.Stage is { } name ? graph.WithUpstream(name) : graph.Stages).Where(s => selection.Includes(s.Name)).Select(s => s.Name).ToList();
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        var log = new CakePipelineLog(context.Log);
        var pull = RemoteOptions.From(context) is { Pull: true } remoteOptions ? remoteOptions.Settings : null;
        log.Information($"Reproducing {stages.Count} stages, up to {options.Jobs} at a time");
        await StageScheduler.RunAsync(graph, stages, options.Jobs, async (stage, cancellationToken) =>
        {
            if (pull is not null)
            {
                await DataRemoteAliases.PullForStageAsync(context, session, stage.Name, pull, cancellationToken);
            }

            var runner = new StageRunner(workspace, ProcessCommandRunner.ToConsoleLines(stage.Name), log);
            return await runner.ReproduceAsync(stage, new ReproOptions(selection.Forces(stage.Name)), cancellationToken);
        }, RunStopping.Token);
    }

    private static void RegisterStage(
        CakeTaskBuilder builder, PipelineGraph graph, StageDefinition stage, PipelineSession session, ReproSelection selection, RemoteStageTarget? remote)
    {
        builder.Description($"Stage: {stage.Command}").IsDependentOn(graph.UpstreamOf(stage.Name));
        if (!selection.Includes(stage.Name))
        {
            builder.WithCriteria(false, $"not downstream of '{session.Options.Downstream}' and not needed by a stage that is");
        }

        builder.Does(async context =>
        {
            var remoteOptions = RemoteOptions.From(context);
            var settings = new ReproSettings { Force = selection.Forces(stage.Name), PullFrom = remoteOptions.Pull ? remoteOptions.Settings : null };
            if (session.Options.DryRun)
            {
                await PlanAsync(context, graph, stage, settings, session);
            }
            else if (remote is null)
            {
                context.ReproStage(stage, settings);
            }
            else
            {
                await ReproduceOrRunElsewhereAsync(context, stage, settings, session, remote);
            }
        });
    }

    // The plan decides: a stage that would run runs where the remote target sends it; one skipped or restored is
    // reproduced here as always.
    private static async Task ReproduceOrRunElsewhereAsync(
        ICakeContext context, StageDefinition stage, ReproSettings settings, PipelineSession session, RemoteStageTarget remote)
    {
        if (settings.PullFrom is { } from)
        {
            await DataRemoteAliases.PullForStageAsync(context, session, stage.Name, from, RunStopping.Token);
        }

        var runner = await session.RunnerAsync(context, RunStopping.Token);
        var plan = await runner.PlanAsync(stage, new ReproOptions(settings.Force), RunStopping.Token);
        if (plan.Outcome != StageOutcome.Ran)
        {
            await runner.CarryOutAsync(plan, RunStopping.Token);
            return;
        }

        new CakePipelineLog(context.Log).Information($"Running stage '{stage.Name}' elsewhere ({plan.Reason})");
        var workspace = await session.OpenAsync(context, RunStopping.Token);
        await remote.Execute(new RemoteStageRunContext(context, session, workspace, runner, plan));
    }

    private static async Task PlanAsync(ICakeContext context, PipelineGraph graph, StageDefinition stage, ReproSettings settings, PipelineSession session)
    {
        var changing = graph.WithUpstream(stage.Name).Select(s => s.Name).Where(session.ChangingInDryRun.Contains).ToList();
        var runner = await session.RunnerAsync(context, RunStopping.Token);
        var plan = (await runner.PlanAsync(stage, new ReproOptions(settings.Force), RunStopping.Token)).After(changing);
        if (plan.MayChangeOutputs)
        {
            session.ChangingInDryRun.Add(stage.Name);
        }

        new CakePipelineLog(context.Log).Information("Dry run: " + plan.Describe());
    }

    /// <summary>Which stages a <c>Repro</c> run looks at and which it forces, from <c>--downstream</c>, <c>--force</c> and <c>--force-stage</c>.</summary>
    private sealed record ReproSelection(HashSet<string>? Included, HashSet<string>? Downstream, bool ForceAll, string? ForceStage)
    {
        public static ReproSelection From(PipelineGraph graph, PipelineOptions options)
        {
            var forceStage = options.ForceStage is { } name ? graph.Find(name).Name : null;
            if (options.Downstream is not { } start)
            {
                return new ReproSelection(null, null, options.Force, forceStage);
            }

            var downstream = graph.WithDownstream(start).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

            // Stages upstream are looked at too, but run only when stale: that is what running a stage always does.
            var included = downstream.SelectMany(s => graph.WithUpstream(s)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            return new ReproSelection(included, downstream, options.Force, forceStage);
        }

        public bool Includes(string stage) => Included?.Contains(stage) ?? true;

        public bool Forces(string stage) => stage == ForceStage || (ForceAll && (Downstream?.Contains(stage) ?? true));
    }
}
