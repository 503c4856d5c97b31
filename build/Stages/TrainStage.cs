using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>Trains the convolutional classifier on the prepared training set.</summary>
internal sealed class TrainStage : IStage
{
    /// <summary>Where the weights and the training history go.</summary>
    public const string Model = "model";

    /// <inheritdoc />
    public StageDefinition Definition { get; } = new("train", MlProgram.Run("train", PrepareStage.Prepared, Model))
    {
        Dependencies = [PrepareStage.Prepared, .. MlProgram.Shared("Data", "Training", "Commands/TrainCommand.cs")],
        Parameters = ["train"],
        Outputs = [Model],
    };
}
