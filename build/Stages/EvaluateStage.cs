using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>Loads the model from the store (importing the archive if the store lacks it), scores it on the test set and draws the evaluation plots.</summary>
internal sealed class EvaluateStage : IStage
{
    private const string Evaluation = "evaluation";

    /// <inheritdoc />
    public StageDefinition Definition { get; } = new("evaluate", MlProgram.Run("evaluate", TrainStage.Model, PrepareStage.Prepared))
    {
        Program = MlProgram.Program,
        Dependencies = [TrainStage.Model, PrepareStage.Prepared, .. MlProgram.Shared("Data", "Training", "Imaging", "Evaluation", "Commands/EvaluateCommand.cs"), MlProgram.Models, MlProgram.ModelStore],
        Metrics = [$"{Evaluation}/metrics.json"],
        Plots = [$"{Evaluation}/plots"],
    };
}
