using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>
/// The ML command-line program every stage runs in a process of its own, so the very same commands run on a laptop,
/// in CI, in a container or in a training pod. The pipeline builds it before a stage runs whenever its sources changed.
/// </summary>
internal static class MlProgram
{
    /// <summary>The built program, relative to the repository root.</summary>
    public const string Assembly = "artifacts/bin/Planets.Ml/release/Planets.Ml.dll";

    /// <summary>The program's source folder.</summary>
    public const string Source = "src/Planets.Ml";

    /// <summary>The classifier's metadata, its ONNX export and the preprocessing it shares with the prediction service.</summary>
    public const string Models = "src/Planets.Models";

    /// <summary>The framework's model store, whose manifest and archive format the model's files carry.</summary>
    public const string ModelStore = "src/Pipeline.Models";

    /// <summary>The framework's prediction records and drift tests, whose record format the reference stage writes.</summary>
    public const string Monitoring = "src/Pipeline.Monitoring";

    /// <summary>The command line every pipeline program shares (Pipeline.Programs): parsing, help, errors and exit codes.</summary>
    public const string Programs = "src/Pipeline.Programs";

    /// <summary>The package versions it is built with (TorchSharp's among them, which decides the numerics).</summary>
    public const string PackageVersions = "Directory.Packages.props";

    /// <summary>The program, as the pipeline builds it: every file the build reads is a source.</summary>
    public static StageProgram Program { get; } = DotNetProgram.Release("Planets.Ml", $"{Source}/Planets.Ml.csproj", [Source, Models, ModelStore, Monitoring, Programs], ["Planets.Ml", "Planets.Models", "Pipeline.Models", "Pipeline.Monitoring", "Pipeline.Programs"]);

    /// <summary>The command line that runs <paramref name="command"/> of the program.</summary>
    public static CommandLine Run(string command, params string[] arguments) =>
        CommandLine.Of("dotnet", [Assembly, command, .. arguments]);

    private static readonly string[] Common = ["Cli", "Common", "Config"];

    /// <summary>The source a command depends on: the folders every command uses plus <paramref name="paths"/>.</summary>
    public static string[] Shared(params string[] paths) =>
        [.. Common.Concat(paths).Select(path => $"{Source}/{path}"), $"{Source}/Planets.Ml.csproj", $"{Source}/NativeAssets.targets", $"{Source}/Program.cs", Programs, PackageVersions];
}
