using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>
/// Decodes, converts and resizes the raw images, then splits them into training and test sets; annotated images,
/// once imported, join the training set only.
/// </summary>
/// <param name="rawData">The raw dataset folder: the generated one, or a real one chosen by configuration.</param>
/// <param name="annotated">The tracked folder of annotated images, or null while there is none.</param>
internal sealed class PrepareStage(string rawData, string? annotated) : IStage
{
    /// <summary>Where the prepared tensors, labels and preview go.</summary>
    public const string Prepared = "data/prepared";

    /// <inheritdoc />
    public StageDefinition Definition { get; } = new("prepare", annotated is null
        ? MlProgram.Run("prepare", rawData, Prepared)
        : MlProgram.Run("prepare", rawData, Prepared, "--extra-train", annotated))
    {
        Program = MlProgram.Program,
        Dependencies = [rawData, .. annotated is null ? [] : new[] { annotated }, .. MlProgram.Shared("Data", "Imaging", "Commands/PrepareCommand.cs"), $"{MlProgram.Models}/Preprocessing", $"{MlProgram.Models}/Planets.Models.csproj"],
        Parameters = ["prepare"],
        Outputs = [Prepared],
    };
}
