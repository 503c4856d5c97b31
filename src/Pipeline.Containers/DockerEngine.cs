using System.Net.Sockets;
using Docker.DotNet;

namespace Pipeline.Containers;

/// <summary>
/// Where the Docker engine listens: <c>DOCKER_HOST</c> as the docker CLI reads it (<c>unix://</c>, <c>tcp://</c>,
/// <c>npipe://</c>), else the local unix socket.
/// </summary>
public static class DockerEngine
{
    /// <summary>The engine's address when <c>DOCKER_HOST</c> is not set.</summary>
    public const string DefaultHost = "unix:///var/run/docker.sock";

    /// <summary>The engine address to use: <paramref name="host"/>, else <c>DOCKER_HOST</c>, else <see cref="DefaultHost"/>.</summary>
    public static Uri Resolve(string? host = null)
    {
        var configured = string.IsNullOrWhiteSpace(host) ? Environment.GetEnvironmentVariable("DOCKER_HOST") : host;
        var address = string.IsNullOrWhiteSpace(configured) ? DefaultHost : configured.Trim();
        return Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "npipe" or "http" or "https"
            ? uri
            : throw new ContainerException($"DOCKER_HOST '{address}' is not an engine address (expected unix:///path, tcp://host:port or npipe://)");
    }

    /// <summary>Connects to the engine and checks that it answers, so a missing engine is one clear error up front.</summary>
    public static async Task<IDockerClient> ConnectAsync(string? host, CancellationToken cancellationToken)
    {
        var endpoint = Resolve(host);
        using var configuration = new DockerClientConfiguration(endpoint, defaultTimeout: Timeout.InfiniteTimeSpan);
        var client = configuration.CreateClient();
        try
        {
            await client.System.PingAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or TimeoutException or DockerApiException)
        {
            client.Dispose();
            throw new ContainerException($"cannot reach the Docker engine at {endpoint}: {ex.GetBaseException().Message} (set DOCKER_HOST to another engine)", ex);
        }
    }
}
