using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>
/// Writes monitoring's reference: every training image as the prediction service would log it (its features, the
/// model's answer, confidence, entropy and last hidden layer). <c>Monitor</c> compares the logged predictions with it.
/// </summary>
internal sealed class ReferenceStage : IStage
{
    /// <summary>The reference records, one JSON object per line.</summary>
    public const string Reference = "monitoring/reference.jsonl";

    /// <inheritdoc />
    public StageDefinition Definition { get; } = new("reference", MlProgram.Run("reference", TrainStage.Model, PrepareStage.Prepared, "--out", "monitoring"))
    {
        Program = MlProgram.Program,
        Dependencies = [TrainStage.Model, PrepareStage.Prepared, .. MlProgram.Shared("Data", "Training", "Evaluation", "Commands/ReferenceCommand.cs"), MlProgram.Models, MlProgram.ModelStore, MlProgram.Monitoring],
        Outputs = [Reference],
    };
}
