using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>Decodes, converts and resizes the raw images, then splits them into training and test sets.</summary>
/// <param name="rawData">The raw dataset folder: the generated one, or a real one chosen by configuration.</param>
internal sealed class PrepareStage(string rawData) : IStage
{
    /// <summary>Where the prepared tensors, labels and preview go.</summary>
    public const string Prepared = "data/prepared";

    /// <inheritdoc />
    public StageDefinition Definition { get; } = new("prepare", MlProgram.Run("prepare", rawData, Prepared))
    {
        Program = MlProgram.Program,
        Dependencies = [rawData, .. MlProgram.Shared("Data", "Imaging", "Commands/PrepareCommand.cs"), $"{MlProgram.ModelStore}/Preprocessing", $"{MlProgram.ModelStore}/Planets.ModelStore.csproj"],
        Parameters = ["prepare"],
        Outputs = [Prepared],
    };
}
