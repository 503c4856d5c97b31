using Cake.Core;
using Pipeline.Cake;
using Pipeline.Remotes;
using Pipeline.Remotes.S3;
using Pipeline.Core.Stages;
using Pipeline.Core.Tracking;
using Planets.Build.Stages;
using Planets.Build.Targets;

namespace Planets.Build;

/// <summary>The planets classifier's pipeline, as <c>build.cake</c> registers it.</summary>
public static class PlanetsPipeline
{
    // What this assembly is built from: build/ and the framework's projects it references.
    private static readonly string[] DefinitionSources =
    [
        "build", "src/Pipeline.Storage", "src/Pipeline.Core", "src/Pipeline.Annotations", "src/Pipeline.Reports", "src/Pipeline.GitHub", "src/Pipeline.Remotes",
        "src/Pipeline.Remotes.S3", "src/Pipeline.Cake", "src/Pipeline.Containers", "src/Pipeline.Kubernetes", "src/Pipeline.Models", "src/Pipeline.Monitoring",
        "Directory.Build.props", "Directory.Packages.props",
        // The plots page's scripts are embedded when installed: npm's record of what it installed stands for them.
        "src/Pipeline.Reports/Vega/node_modules/.package-lock.json",
    ];

    /// <summary>
    /// Registers the stages with Cake and returns the target to run. The raw dataset is the generated one unless
    /// <c>--raw-data=PATH</c> or <c>[Pipeline] RawData</c> in <c>cake.config</c> names a real one.
    /// </summary>
    public static string Register(ICakeContext context, Func<string, CakeTaskBuilder> task, Action<Action<ITeardownContext>> teardown)
    {
        ArgumentNullException.ThrowIfNull(context);
        PipelineDefinition.RequireBuiltFromCurrentSources(
            context.Environment.WorkingDirectory.FullPath, typeof(PlanetsPipeline).Assembly.Location, DefinitionSources, "./build.sh");
        var train = new TrainStage();

        // The composition root: the adapters this repository's pipeline reaches, wired in here and nowhere else.
        var adapters = new PipelineAdapters
        {
            RemoteKinds = new RemoteKinds().Add(new S3RemoteKind()),
            ReportPublisher = ReportTargets.GitHubPullRequest,
            AlertPublisher = ReportTargets.GitHubIssue,
            RemoteStageTargets = [TrainRemoteTarget.Create(train.Definition.Name)],
        };
        var stages = Stages(RawDataFolder(context), AnnotatedFolder(context), train).ToList();
        var target = PipelineTasks.Register(context, task, teardown, stages, adapters);
        TestTarget.Register(task);
        PackTarget.Register(task);
        ServeTarget.Register(task);
        ContainerTargets.Register(task);
        DeployTarget.Register(task);
        LabelingTargets.Register(task, stages);
        return target;
    }

    private static IEnumerable<IStage> Stages(string? rawData, string? annotated, TrainStage train)
    {
        if (rawData is null)
        {
            yield return new GenerateStage();
        }

        yield return new PrepareStage(rawData ?? GenerateStage.RawData, annotated);
        yield return train;
        yield return new EvaluateStage();
        yield return new ReferenceStage();
    }

    // Imported annotations join the pipeline once tracked: from then on prepare reads them.
    private static string? AnnotatedFolder(ICakeContext context) =>
        File.Exists(Path.Combine(context.Environment.WorkingDirectory.FullPath, PointerFile.PointerPathOf(LabelingTargets.Annotated))) ? LabelingTargets.Annotated : null;

    private static string? RawDataFolder(ICakeContext context)
    {
        return new TargetOptions(context).Text("raw-data", "Pipeline_RawData")?.TrimEnd('/');
    }
}
