using Cake.Core;
using Cake.Core.Annotations;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Stages;

namespace Pipeline.Cake;

/// <summary>
/// Brings a pipeline's stages up to date from a build script, as <c>dvc repro</c> does: each stage runs only when its
/// command, dependencies, parameters or outputs changed since <c>pipeline.lock</c> recorded it, else it is skipped or
/// restored from the cache. The ready-made <c>Repro</c> target's stage tasks are <see cref="ReproStage"/> with the
/// command line's options.
/// </summary>
[CakeAliasCategory("Pipeline")]
public static class PipelineAliases
{
    /// <summary>Brings every stage up to date, in dependency order.</summary>
    /// <example><code>var outcomes = Repro(new IStage[] { new Prepare(), new Train(), new Evaluate() });</code></example>
    /// <returns>What happened to each stage, by name, in the order they were looked at.</returns>
    [CakeMethodAlias]
    public static IReadOnlyDictionary<string, StageOutcome> Repro(this ICakeContext context, IEnumerable<IStage> stages) =>
        Repro(context, stages, new ReproSettings());

    /// <summary>Brings the stages <paramref name="settings"/> selects up to date, in dependency order.</summary>
    /// <example><code>Repro(stages, new ReproSettings { Stage = "train", Force = true });</code></example>
    /// <returns>What happened to each stage, by name, in the order they were looked at.</returns>
    /// <exception cref="PipelineException">The stages do not form a valid graph, the setting names no stage, or a stage failed.</exception>
    [CakeMethodAlias]
    public static IReadOnlyDictionary<string, StageOutcome> Repro(this ICakeContext context, IEnumerable<IStage> stages, ReproSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var graph = WorkspaceAliases.GraphOf(stages);
        var selected = settings.Stage is { } name ? graph.WithUpstream(name) : graph.Stages;
        var outcomes = new Dictionary<string, StageOutcome>(StringComparer.Ordinal);
        foreach (var stage in selected)
        {
            outcomes[stage.Name] = context.ReproStage(stage, settings);
        }

        return outcomes;
    }

    /// <summary>Brings one stage up to date; the stages it depends on must be up to date already.</summary>
    /// <exception cref="PipelineException">The stage failed, or a dependency is missing.</exception>
    [CakeMethodAlias]
    public static StageOutcome ReproStage(this ICakeContext context, StageDefinition stage, ReproSettings settings)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(settings);
        return PipelineSession.UseAsync(context, async session =>
        {
            var runner = await session.RunnerAsync(context, RunStopping.Token);
            if (settings.PullFrom is { } remote)
            {
                await DataRemoteAliases.PullForStageAsync(context, session, stage.Name, remote, RunStopping.Token);
            }

            return await runner.ReproduceAsync(stage, new ReproOptions(settings.Force), RunStopping.Token);
        }).GetAwaiter().GetResult();
    }
}
