using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipeline.Core.Execution;

namespace Pipeline.Containers;

/// <summary>An image pushed to a registry.</summary>
/// <param name="Reference">The pushed name and tag.</param>
/// <param name="Digest">The manifest digest the registry answered (<c>sha256:…</c>).</param>
/// <param name="LayersPushed">Layers uploaded by this push.</param>
/// <param name="LayersSkipped">Layers the registry already had.</param>
public sealed record PushedImage(ImageReference Reference, string Digest, int LayersPushed, int LayersSkipped)
{
    /// <summary>The image pinned to its digest, as a deployment should reference it.</summary>
    public ImageReference Pinned => Reference.WithDigest(Digest);
}

/// <summary>Pushes tagged images to their registry through the Docker Engine API.</summary>
/// <param name="engine">A connected engine.</param>
public sealed partial class ImagePusher(IDockerClient engine)
{
    /// <summary>
    /// Tags <paramref name="image"/> as <paramref name="target"/> (which must carry a tag) and pushes it, reporting
    /// each layer's progress to <paramref name="log"/>.
    /// </summary>
    /// <exception cref="ContainerException">The registry refused the push or could not be reached.</exception>
    public async Task<PushedImage> PushAsync(string image, ImageReference target, RegistryCredentials? credentials, IPipelineLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(log);
        var tag = target.Tag ?? throw new ArgumentException($"{target} has no tag to push", nameof(target));
        try
        {
            await engine.Images.TagImageAsync(image, new ImageTagParameters { RepositoryName = target.Name, Tag = tag, Force = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException ex)
        {
            throw new ContainerException($"image {image} not found in the Docker engine: build it first (--target=Containerize)", ex);
        }

        var auth = new AuthConfig { ServerAddress = target.Registry, Username = credentials?.Username, Password = credentials?.Password };
        var output = new PushOutput(log);
        try
        {
            await engine.Images.PushImageAsync(target.Name, new ImagePushParameters { Tag = tag }, auth, output, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw new ContainerException($"push of {target} failed: {ex.ResponseBody.Trim()}", ex);
        }

        if (output.Error is not null)
        {
            throw new ContainerException($"push of {target} to {target.Registry ?? "the default registry"} failed: {output.Error.Trim()}");
        }

        var digest = output.Digest ?? throw new ContainerException($"push of {target}: the registry answered no digest");
        return new PushedImage(target, digest, output.Pushed.Count, output.Skipped.Count);
    }

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex DigestInStatus();

    private sealed class PushOutput(IPipelineLog log) : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public string? Digest { get; private set; }

        public HashSet<string> Pushed { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Skipped { get; } = new(StringComparer.Ordinal);

        public void Report(JSONMessage value)
        {
            if (value.Error is { Message.Length: > 0 } || !string.IsNullOrEmpty(value.ErrorMessage))
            {
                Error ??= value.Error?.Message ?? value.ErrorMessage;
                return;
            }

            Digest ??= AuxDigest(value) ?? StatusDigest(value);
            switch (value.Status)
            {
                case "Pushed":
                    Pushed.Add(value.ID);
                    log.Verbose($"{value.ID}: pushed");
                    break;
                case { } status when status == "Layer already exists" || status.StartsWith("Mounted from", StringComparison.Ordinal):
                    Skipped.Add(value.ID);
                    log.Verbose($"{value.ID}: already in the registry");
                    break;
                case { } other when value.Progress is null && !other.StartsWith("Pushing", StringComparison.Ordinal) && !other.StartsWith("Preparing", StringComparison.Ordinal) && !other.StartsWith("Waiting", StringComparison.Ordinal):
                    log.Verbose(string.IsNullOrEmpty(value.ID) ? other : $"{value.ID}: {other}");
                    break;
                default:
                    break;
            }
        }

        private static string? StatusDigest(JSONMessage value) =>
            DigestInStatus().Match(value.Status ?? string.Empty) is { Success: true } match ? match.Groups[1].Value : null;

        private static string? AuxDigest(JSONMessage value) =>
            value.Aux?.ExtensionData is { } data && data.TryGetValue("Digest", out var digest)
                ? digest switch { JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(), string s => s, _ => digest?.ToString() }
                : null;
    }
}
