using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.Diagnostics;
using Pipeline.Core;
using Pipeline.Core.Execution;

namespace Pipeline.Containers;

/// <summary>
/// Builds and pushes container images from a build script through the Docker Engine API (no docker CLI needed),
/// reporting to Cake's log: a summary line as information, the engine's own lines as verbose. Ctrl+C stops them.
/// </summary>
[CakeAliasCategory("Container images")]
public static class ImageAliases
{
    /// <summary>Builds an image from a generated Dockerfile and the files it copies, and tags it.</summary>
    /// <example>
    /// <code>
    /// var settings = new ImageBuildSettings(Dockerfile.From("mcr.microsoft.com/dotnet/runtime:10.0").Copy("app", "/app"), buildContext, [ImageReference.Parse("localhost:5000/app:latest")]);
    /// var image = BuildImage(settings);
    /// </code>
    /// </example>
    /// <exception cref="ContainerException">The engine could not be reached or the build failed; the message says why.</exception>
    [CakeMethodAlias]
    public static BuiltImage BuildImage(this ICakeContext context, ImageBuildSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        return BuildAsync(context, settings).GetAwaiter().GetResult();
    }

    /// <summary>Tags a local image with the target name and pushes it to the target's registry.</summary>
    /// <example><code>var pushed = PushImage(new ImagePushSettings("app:latest", ImageReference.Parse("ghcr.io/team/app:1.0")) { Credentials = RegistryCredentials.FromEnvironment() });</code></example>
    /// <returns>The pushed name and the digest the registry answered.</returns>
    /// <exception cref="ContainerException">The image is not in the engine, or the registry refused or could not be reached.</exception>
    [CakeMethodAlias]
    public static PushedImage PushImage(this ICakeContext context, ImagePushSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        return PushAsync(context, settings).GetAwaiter().GetResult();
    }

    private static async Task<BuiltImage> BuildAsync(ICakeContext context, ImageBuildSettings settings)
    {
        using var engine = await DockerEngine.ConnectAsync(settings.DockerHost, RunStopping.Token);
        var log = new CakeLog(context.Log);
        log.Information($"Building {settings.Tags[0]} from {settings.Dockerfile.BaseImage} ({settings.Context.Entries.Count} files)");
        var image = await new ImageBuilder(engine).BuildAsync(settings, log, RunStopping.Token);
        log.Information($"Built {string.Join(", ", image.Tags)}: {image.Id[..19]}, {ByteSize.Format(image.Size)}, {image.Layers.Count} layers, {image.CachedSteps} steps from cache");
        return image;
    }

    private static async Task<PushedImage> PushAsync(ICakeContext context, ImagePushSettings settings)
    {
        using var engine = await DockerEngine.ConnectAsync(settings.DockerHost, RunStopping.Token);
        var log = new CakeLog(context.Log);
        var pushed = await new ImagePusher(engine).PushAsync(settings.Image, settings.Target, settings.Credentials, log, RunStopping.Token);
        log.Information($"Pushed {pushed.Reference}: uploaded {pushed.LayersPushed} of {pushed.LayersPushed + pushed.LayersSkipped} layers, the registry had the rest");
        return pushed;
    }

    // The engine's lines are detail: verbose, as the DotNet aliases show a tool's output only when asked. Cake formats
    // what it logs, so a message goes in as an argument: the braces of the engine's JSON lines stay as they are.
    private sealed class CakeLog(ICakeLog log) : IPipelineLog
    {
        public void Information(string message) => log.Information("{0}", message);

        public void Warning(string message) => log.Warning("{0}", message);

        public void Verbose(string message) => log.Verbose("{0}", message);
    }
}
