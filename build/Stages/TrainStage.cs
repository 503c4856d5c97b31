using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>
/// Trains the convolutional classifier on the prepared training set, saves it into the model store and exports the
/// model archive (<c>model/planets-classifier.zip</c>) with the training history.
/// </summary>
internal sealed class TrainStage : IStage
{
    /// <summary>Where the model archive and the training history go.</summary>
    public const string Model = "model";

    /// <inheritdoc />
    public StageDefinition Definition { get; } = new("train", MlProgram.Run("train", PrepareStage.Prepared, Model))
    {
        Program = MlProgram.Program,
        Dependencies = [PrepareStage.Prepared, .. MlProgram.Shared("Data", "Training", "Commands/TrainCommand.cs"), MlProgram.Models, MlProgram.ModelStore],
        Parameters = ["train"],
        Outputs = [Model],
    };
}
