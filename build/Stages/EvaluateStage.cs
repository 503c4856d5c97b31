using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>
/// Loads the model from the store (importing the archive if the store lacks it), scores it on the test set, draws the
/// evaluation plots and writes their data (the training history, each test image's prediction) for the interactive charts.
/// </summary>
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
        DataPlots =
        [
            new($"{Evaluation}/history.json", PlotTemplate.Linear) { Title = "Loss per epoch", X = "epoch", Y = ["loss", "val_loss"], YLabel = "cross-entropy" },
            new($"{Evaluation}/history.json", PlotTemplate.Linear) { Title = "Accuracy per epoch", X = "epoch", Y = ["accuracy", "val_accuracy"], YLabel = "accuracy" },
            new($"{Evaluation}/predictions.json", PlotTemplate.ConfusionNormalized) { Title = "Confusion matrix (share of each true class)", X = "predicted", Y = ["actual"] },
        ],
    };
}
