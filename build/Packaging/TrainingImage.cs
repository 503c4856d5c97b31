using System.Collections.Immutable;
using Pipeline.Containers;
using Pipeline.Core.Execution;
using Planets.Build.Stages;

namespace Planets.Build.Packaging;

/// <summary>
/// The training image: the ML command line with its native libraries (libtorch), laid out as in a work tree so the
/// stages' own command lines run unchanged, and the pipeline worker that runs a stage there (fetch dependencies,
/// run, push outputs).
/// </summary>
internal static class TrainingImage
{
    /// <summary>The image's name.</summary>
    public const string Name = "planets-training";

    /// <summary>
    /// The official .NET runtime image (Ubuntu 24.04: its libstdc++ is new enough for TorchSharp's native shim). A
    /// CUDA node would use a CUDA-enabled base built the same way.
    /// </summary>
    public const string DefaultBaseImage = "mcr.microsoft.com/dotnet/runtime:10.0";

    /// <summary>The work tree in the image; stages run here.</summary>
    public const string WorkDirectory = "/workspace";

    /// <summary>The worker's entry assembly.</summary>
    public const string Worker = "/opt/pipeline/Pipeline.Worker.dll";

    /// <summary>
    /// What to build from the published ML program in <paramref name="program"/>, built from the sources whose hash is
    /// <paramref name="programSources"/>, and the worker in <paramref name="worker"/>.
    /// </summary>
    public static ImageBuildSettings Settings(
        string program, string worker, string programSources, string baseImage, IReadOnlyList<ImageReference> tags, ImmutableSortedDictionary<string, string> labels)
    {
        var owner = $"{ServiceImage.User}:{ServiceImage.User}";
        // The work tree belongs to the non-root user: the worker writes params.yaml, the cache and the outputs there.
        // Copying the whole tree (not just the program's folder) is what makes COPY give /workspace itself to the user.
        var dockerfile = Dockerfile.From(baseImage)
            .Copy("workspace/", $"{WorkDirectory}/", owner)
            .Copy("worker/", $"{Path.GetDirectoryName(Worker)}/")
            .WorkDir(WorkDirectory)
            .Env(new KeyValuePair<string, string>("DOTNET_CLI_TELEMETRY_OPTOUT", "1"), new KeyValuePair<string, string>(ProgramBuilder.SourcesVariable, programSources))
            .User(ServiceImage.User)
            .Entrypoint("dotnet", Worker);
        var context = BuildContext.Empty.WithDirectory($"workspace/{Path.GetDirectoryName(MlProgram.Assembly)}", program).WithDirectory("worker", worker);
        return new ImageBuildSettings(dockerfile, context, tags) { Labels = labels };
    }
}
