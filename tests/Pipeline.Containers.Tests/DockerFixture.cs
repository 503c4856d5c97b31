using Docker.DotNet;
using Pipeline.Testing.Containers;

namespace Pipeline.Containers.Tests;

/// <summary>One engine and registry for every test of the assembly.</summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public DockerServers Servers { get; private set; } = null!;

    public IDockerClient Engine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Servers = await DockerServers.StartAsync();
        Engine = await DockerEngine.ConnectAsync(Servers.DockerHost, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        Engine?.Dispose();
        if (Servers is not null)
        {
            await Servers.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DockerTests : ICollectionFixture<DockerFixture>
{
    public const string Name = "docker";
}
