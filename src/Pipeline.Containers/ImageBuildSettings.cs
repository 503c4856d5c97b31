using System.Collections.Immutable;

namespace Pipeline.Containers;

/// <summary>What to build: the Dockerfile, the files it copies, the tags and labels the image gets.</summary>
/// <param name="Dockerfile">The Dockerfile; it is added to the context as <c>Dockerfile</c>.</param>
/// <param name="Context">The files the Dockerfile's COPY instructions read.</param>
/// <param name="Tags">Every name the image gets, the first being its main name.</param>
public sealed record ImageBuildSettings(Dockerfile Dockerfile, BuildContext Context, IReadOnlyList<ImageReference> Tags)
{
    /// <summary>Labels set on the image's configuration; they add no layer and never invalidate the layer cache.</summary>
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Build every layer again instead of reusing the engine's cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>The Docker engine to build with (see <see cref="DockerEngine.Resolve"/>); <c>DOCKER_HOST</c> or the local socket when null.</summary>
    public string? DockerHost { get; init; }
}

/// <summary>What to push: a local image, under which name, with which credentials, through which engine.</summary>
/// <param name="Image">The local image's name or id.</param>
/// <param name="Target">The name and tag it is pushed as (the registry is the name's host).</param>
public sealed record ImagePushSettings(string Image, ImageReference Target)
{
    /// <summary>The registry's credentials; anonymous when null (<see cref="RegistryCredentials.FromEnvironment"/> reads them from the environment).</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>The Docker engine to push through; <c>DOCKER_HOST</c> or the local socket when null.</summary>
    public string? DockerHost { get; init; }
}

/// <summary>An image the engine built.</summary>
/// <param name="Id">The image id (<c>sha256:…</c>).</param>
/// <param name="Tags">The names it was tagged with.</param>
/// <param name="Size">Its size in bytes, base image included.</param>
/// <param name="Layers">Its layers' digests, base first.</param>
/// <param name="CachedSteps">How many steps came from the engine's cache.</param>
public sealed record BuiltImage(string Id, IReadOnlyList<ImageReference> Tags, long Size, IReadOnlyList<string> Layers, int CachedSteps);
