using System.Collections.Immutable;
using Pipeline.Containers;
using Planets.Build.Stages;

namespace Planets.Build.Packaging;

/// <summary>
/// The training image: the ML command line with its native libraries (libtorch), laid out as in a work tree so the
/// stages' own command lines run unchanged in a training pod.
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

    /// <summary>What to build from the published ML program in <paramref name="program"/>.</summary>
    public static ImageBuildSettings Settings(string program, string baseImage, IReadOnlyList<ImageReference> tags, ImmutableSortedDictionary<string, string> labels)
    {
        var target = $"{WorkDirectory}/{Path.GetDirectoryName(MlProgram.Assembly)}/";
        var dockerfile = Dockerfile.From(baseImage)
            .WorkDir(WorkDirectory)
            .Copy("ml/", target)
            .User(ServiceImage.User)
            .Entrypoint("dotnet", $"{WorkDirectory}/{MlProgram.Assembly}");
        var context = BuildContext.Empty.WithDirectory("ml", program);
        return new ImageBuildSettings(dockerfile, context, tags) { Labels = labels };
    }
}
