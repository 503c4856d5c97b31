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

    // What the stage writes of the monitoring package: the record and its JSON; the log, shipping and tests are the service's and Monitor's.
    private static readonly string[] RecordFormat = [$"{MlProgram.Monitoring}/PredictionRecord.cs", $"{MlProgram.Monitoring}/Pipeline.Monitoring.csproj"];

    /// <inheritdoc />
    public StageDefinition Definition { get; } = new("reference", MlProgram.Run("reference", TrainStage.Model, PrepareStage.Prepared, "--out", "monitoring"))
    {
        Program = MlProgram.Program,
        Dependencies = [TrainStage.Model, PrepareStage.Prepared, .. MlProgram.Shared("Data", "Training", "Evaluation", "Commands/ReferenceCommand.cs"), MlProgram.Models, MlProgram.ModelStore, .. RecordFormat],
        Outputs = [Reference],
    };
}
