// A second pipeline on the framework's packages alone: customer churn, a tabular model trained with ML.NET.
// In this repository it takes the newest framework package from ../../artifacts/packages (./build.sh --target=Pack
// at the root first); a repository of your own pins the version: &version=X.Y.Z.
#addin nuget:?package=Cake.MLOps.Pipeline&prerelease&loaddependencies=true
using Pipeline.Cake;
using Pipeline.Core.Stages;

static class Churn
{
    public const string Source = "src/Churn";

    public static StageProgram Program { get; } = DotNetProgram.Release("Churn", $"{Source}/Churn.csproj", [Source], ["Churn"]);

    public static CommandLine Run(params string[] arguments) => CommandLine.Of("dotnet", ["artifacts/bin/Churn/release/Churn.dll", .. arguments]);
}

// Generates the customers (the sample's dataset) and derives the features the model reads.
sealed class Featurize : IStage
{
    public StageDefinition Definition { get; } = new("featurize", Churn.Run("featurize", "data/features"))
    {
        Program = Churn.Program, Dependencies = [$"{Churn.Source}/Featurize.cs"], Parameters = ["featurize"], Outputs = ["data/features"],
    };
}

sealed class Train : IStage
{
    public StageDefinition Definition { get; } = new("train", Churn.Run("train", "data/features", "model"))
    {
        Program = Churn.Program, Dependencies = ["data/features", $"{Churn.Source}/Train.cs", $"{Churn.Source}/Customer.cs"], Parameters = ["train"], Outputs = ["model"],
    };
}

sealed class Evaluate : IStage
{
    public StageDefinition Definition { get; } = new("evaluate", Churn.Run("evaluate", "data/features", "model", "metrics.json"))
    {
        Program = Churn.Program, Dependencies = ["data/features", "model", $"{Churn.Source}/Evaluate.cs"], Metrics = ["metrics.json"],
    };
}

RunTarget(PipelineTasks.Register(Context, Task, Teardown, new IStage[] { new Featurize(), new Train(), new Evaluate() }));
