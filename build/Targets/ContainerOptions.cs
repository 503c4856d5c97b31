using Cake.Core;
using Pipeline.Cake;
using Pipeline.Containers;

namespace Planets.Build.Targets;

/// <summary>
/// The options of the image targets, each a command-line argument or else a <c>[Containers]</c> key of
/// <c>cake.config</c>: <c>--docker-host</c> (else <c>DOCKER_HOST</c>), <c>--base-image</c>, <c>--training-base-image</c>,
/// <c>--registry</c> (host and optional path, default <c>localhost:5000</c>), <c>--image=service|training</c>.
/// </summary>
/// <param name="DockerHost">The engine's address, or null for DOCKER_HOST or the local socket.</param>
/// <param name="BaseImage">The service image's base.</param>
/// <param name="TrainingBaseImage">The training image's base.</param>
/// <param name="Registry">Where images are pushed: a registry host, optionally with a path.</param>
/// <param name="Image">Which image <c>PushImage</c> pushes.</param>
internal sealed record ContainerOptions(string? DockerHost, string BaseImage, string TrainingBaseImage, string Registry, string Image)
{
    /// <summary>The registry when none is configured: one on this machine.</summary>
    public const string DefaultRegistry = "localhost:5000";

    /// <summary>Reads the options.</summary>
    public static ContainerOptions From(ICakeContext context)
    {
        var options = new TargetOptions(context);
        return new(
            Option(options, "docker-host", null),
            Option(options, "base-image", Packaging.ServiceImage.DefaultBaseImage)!,
            Option(options, "training-base-image", Packaging.TrainingImage.DefaultBaseImage)!,
            Option(options, "registry", DefaultRegistry)!.TrimEnd('/'),
            options.Choice("image", "service", "service", "training"));
    }

    /// <summary>The local name of image <paramref name="name"/> under <paramref name="tag"/>.</summary>
    public static ImageReference Local(string name, string tag) => new(null, name, tag, null);

    /// <summary>Image <paramref name="name"/> in the registry, under <paramref name="tag"/>.</summary>
    public ImageReference InRegistry(string name, string tag) => ImageReference.Parse($"{Registry}/{name}:{tag}");

    private static string? Option(TargetOptions options, string name, string? fallback) =>
        options.Text(name, $"Containers_{name.Replace("-", string.Empty, StringComparison.Ordinal)}", fallback);
}
