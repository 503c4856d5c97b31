using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipeline.Core.Execution;

namespace Pipeline.Containers;

/// <summary>Builds an image through the Docker Engine API from a generated Dockerfile and a streamed tar context.</summary>
/// <param name="engine">A connected engine (see <see cref="DockerEngine.ConnectAsync"/>).</param>
public sealed partial class ImageBuilder(IDockerClient engine)
{
    private const string DockerfileName = "Dockerfile";

    /// <summary>Builds the image, reporting each line of the engine's build output to <paramref name="log"/>.</summary>
    /// <exception cref="ContainerException">The build failed; the message is the engine's.</exception>
    public async Task<BuiltImage> BuildAsync(ImageBuildSettings settings, IPipelineLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        if (settings.Tags.Count == 0)
        {
            throw new ArgumentException("an image needs at least one tag", nameof(settings));
        }

        var context = settings.Context.WithText(DockerfileName, settings.Dockerfile.ToString());
        var parameters = new ImageBuildParameters
        {
            Dockerfile = DockerfileName,
            Tags = [.. settings.Tags.Select(t => t.ToString())],
            Labels = settings.Labels.ToDictionary(),
            NoCache = settings.NoCache,
            Remove = true,
            ForceRemove = true,
        };
        var output = new BuildOutput(log);
        var tar = context.OpenTarStream(cancellationToken);
        await using (tar.ConfigureAwait(false))
        {
            try
            {
                await engine.Images.BuildImageFromDockerfileAsync(parameters, tar, [], new Dictionary<string, string>(), output, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw new ContainerException($"image build of {settings.Tags[0]} failed: {ex.ResponseBody.Trim()}", ex);
            }
        }

        if (output.Error is not null)
        {
            throw new ContainerException($"image build of {settings.Tags[0]} failed: {output.Error.Trim()}");
        }

        var image = await engine.Images.InspectImageAsync(settings.Tags[0].ToString(), cancellationToken).ConfigureAwait(false);
        return new BuiltImage(image.ID, settings.Tags, image.Size, [.. image.RootFS.Layers], output.CachedSteps);
    }

    [GeneratedRegex(@"^\s*---> Using cache\s*$")]
    private static partial Regex UsingCache();

    /// <summary>
    /// Takes the engine's messages as they arrive, in order (unlike <see cref="Progress{T}"/>, which posts them to the
    /// thread pool).
    /// </summary>
    private sealed class BuildOutput(IPipelineLog log) : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public int CachedSteps { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error is { Message.Length: > 0 } || !string.IsNullOrEmpty(value.ErrorMessage))
            {
                Error ??= value.Error?.Message ?? value.ErrorMessage;
                return;
            }

            foreach (var line in (value.Stream ?? value.Status ?? string.Empty).Split('\n'))
            {
                if (UsingCache().IsMatch(line))
                {
                    CachedSteps++;
                }

                if (line.Trim().Length > 0)
                {
                    log.Verbose(line.TrimEnd());
                }
            }
        }
    }
}
