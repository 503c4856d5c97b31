using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>Paints the embedded synthetic dataset, so a fresh clone runs the whole pipeline with no download.</summary>
internal sealed class GenerateStage : IStage
{
    /// <summary>Where the synthetic images are written.</summary>
    public const string RawData = "data/raw";

    /// <inheritdoc />
    public StageDefinition Definition { get; } = new("generate", MlProgram.Run("generate", RawData))
    {
        Program = MlProgram.Program,
        Dependencies = [.. MlProgram.Shared("Synthetic", "Commands/GenerateCommand.cs")],
        Outputs = [RawData],
    };
}
