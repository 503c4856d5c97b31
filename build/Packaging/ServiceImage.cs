using System.Collections.Immutable;
using Pipeline.Containers;

namespace Planets.Build.Packaging;

/// <summary>
/// The prediction service's image, made from a <see cref="ServiceBundle"/>. The published service is one layer and the
/// model store the next, so a new model rebuilds and pushes only the model layer; labels and the entrypoint are
/// image configuration, not layers.
/// </summary>
internal static class ServiceImage
{
    /// <summary>The official ASP.NET Core runtime image; the chiseled flavour has no shell or package manager (small, and less to patch).</summary>
    public const string DefaultBaseImage = "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled";

    /// <summary>The non-root user of the official .NET images (<c>app</c>); numeric so it works on any base.</summary>
    public const string User = "1654";

    /// <summary>The port the service listens on in the container.</summary>
    public const int Port = 3000;

    /// <summary>What to build for <paramref name="bundle"/> from <paramref name="baseImage"/>.</summary>
    public static ImageBuildSettings Settings(ServiceBundle bundle, string baseImage, IReadOnlyList<ImageReference> tags, ImmutableSortedDictionary<string, string> labels)
    {
        var app = $"/{ServiceBundle.AppFolder}/{ServiceBundle.EntryAssembly}";
        var dockerfile = Dockerfile.From(baseImage)
            // No diagnostics IPC socket: the service then runs on a read-only root file system.
            .Env(new KeyValuePair<string, string>("DOTNET_EnableDiagnostics", "0"))
            .Copy($"{ServiceBundle.AppFolder}/", $"/{ServiceBundle.AppFolder}/")
            .Copy($"{ServiceBundle.ModelsFolder}/", "/models/")
            .User(User)
            .Expose(Port)
            .HealthCheck(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), 3, "dotnet", app, "probe", $"http://127.0.0.1:{Port}/readyz")
            .Entrypoint("dotnet", app, "serve", "--model", bundle.Manifest.Model, "--store", "/models", "--urls", $"http://0.0.0.0:{Port}");
        var context = BuildContext.Empty
            .WithDirectory(ServiceBundle.AppFolder, Path.Combine(bundle.Directory, ServiceBundle.AppFolder))
            .WithDirectory(ServiceBundle.ModelsFolder, Path.Combine(bundle.Directory, ServiceBundle.ModelsFolder));
        return new ImageBuildSettings(dockerfile, context, tags) { Labels = labels };
    }
}
