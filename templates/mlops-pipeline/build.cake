// The pipeline: typed stages with their dependencies, parameters (params.yaml) and outputs. Run it with
// ./build.sh --target=Repro (or dotnet cake --target=Repro once the tools are restored); --target=Status, Push, Pull,
// MetricsDiff, Exp and the others work on the same stages. Upgrade by changing the version below.
#addin nuget:?package=Cake.MLOps.Pipeline&version=PIPELINE_PACKAGE_VERSION&loaddependencies=true
using Pipeline.Cake;
using Pipeline.Core.Stages;

// The program every stage runs (src/Model), built by the pipeline before a stage whenever its sources changed.
static class Model
{
    public const string Source = "src/Model";

    public static StageProgram Program { get; } = DotNetProgram.Release("Model", $"{Source}/Model.csproj", [Source], ["Model"]);

    public static CommandLine Run(params string[] arguments) => CommandLine.Of("dotnet", ["artifacts/bin/Model/release/Model.dll", .. arguments]);
}

sealed class Prepare : IStage
{
    public StageDefinition Definition { get; } = new("prepare", Model.Run("prepare", "data/prepared"))
    {
        Program = Model.Program, Dependencies = [Model.Source], Parameters = ["prepare"], Outputs = ["data/prepared"],
    };
}

sealed class Train : IStage
{
    public StageDefinition Definition { get; } = new("train", Model.Run("train", "data/prepared", "model"))
    {
        Program = Model.Program, Dependencies = ["data/prepared", Model.Source], Parameters = ["train"], Outputs = ["model"],
    };
}

sealed class Evaluate : IStage
{
    public StageDefinition Definition { get; } = new("evaluate", Model.Run("evaluate", "data/prepared", "model", "metrics.json"))
    {
        Program = Model.Program, Dependencies = ["data/prepared", "model", Model.Source], Metrics = ["metrics.json"],
    };
}

RunTarget(PipelineTasks.Register(Context, Task, Teardown, new IStage[] { new Prepare(), new Train(), new Evaluate() }));
