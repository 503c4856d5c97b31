using System.Collections.Immutable;
using Pipeline.Core;
using Pipeline.Remotes;
using Pipeline.Remotes.Configuration;
using Pipeline.Remotes.S3;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

namespace Planets.Serving.Inference;

/// <summary>
/// Where a service in a cluster ships its complete prediction log files: a remote of the data remote's kinds (an S3
/// bucket, a folder), each file stored as an object named by its content, as the pipeline's cache stores outputs. A
/// file shipped twice (after a restart) is the same object, and <c>Monitor --remote</c> fetches and verifies them with
/// the pipeline's own transfer. Credentials come from the environment or the platform's credential chain.
/// </summary>
internal sealed class PredictionLogRemote : IDisposable
{
    private const string SettingsSource = "--prediction-log-remote";
    private readonly IObjectDatabase remote;

    private PredictionLogRemote(IObjectDatabase remote) => this.remote = remote;

    /// <summary>Opens the remote at <paramref name="url"/>, on an S3-compatible <paramref name="endpoint"/> (path-style) when given.</summary>
    /// <exception cref="ArgumentException">The URL or the endpoint is malformed.</exception>
    public static PredictionLogRemote Open(string url, string? endpoint)
    {
        var settings = ImmutableSortedDictionary.CreateBuilder<string, RemoteSetting>(StringComparer.Ordinal);
        if (endpoint is { Length: > 0 })
        {
            settings["endpoint"] = new RemoteSetting(endpoint, SettingsSource);
            settings["path-style"] = new RemoteSetting("true", SettingsSource);
        }

        var definition = new RemoteDefinition("prediction-log", url) { Settings = settings.ToImmutable() };
        var kinds = new RemoteKinds().Add(new S3RemoteKind());
        try
        {
            kinds.KindOf(definition, SettingsSource).Validate(definition);
            return new PredictionLogRemote(kinds.Open(definition, Environment.CurrentDirectory));
        }
        catch (PipelineException e)
        {
            // Startup errors name the option, as every other invalid option does.
            throw new ArgumentException($"{ServingOptions.Section}: PredictionLogRemote '{url}': {e.Message}", e);
        }
    }

    /// <summary>Stores the complete log file at <paramref name="path"/> unless the remote has it already.</summary>
    public async Task ShipAsync(string path, CancellationToken cancellationToken)
    {
        // A complete file is at most the log's file size (16 MB by default), and never changes again.
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        var hash = ContentHash.OfFile(ContentHashAlgorithm.Md5.HashData(bytes), ContentHashAlgorithm.Md5);
        if (await remote.StatAsync(hash, cancellationToken) is not null)
        {
            return;
        }

        await using var content = new ObjectContent(new MemoryStream(bytes, writable: false), bytes.Length);
        var commit = await remote.WriteAsync(hash, content, cancellationToken);
        await commit;
    }

    /// <inheritdoc />
    public void Dispose() => remote.Dispose();
}
