using System.Diagnostics;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Pipeline.Testing.Containers;

namespace Pipeline.Kubernetes.Tests;

/// <summary>
/// One Docker engine for every pod test of the assembly, holding the base image and <see cref="ProbeImage"/>: the
/// base image has no shell, so a container shows what it received only through a program of our own.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    /// <summary>The base image plus /probe/probe.dll (see <see cref="ProbeSource"/>).</summary>
    public const string ProbeImage = "planets-k8s-probe:1";

    // "tick" writes a numbered line every 100 ms until killed; "result TEXT" leaves TEXT as its termination message;
    // otherwise it prints /dev/shm's size and each named variable.
    private const string ProbeSource = """
        using System;
        using System.IO;
        using System.Threading;

        if (args is ["result", var text])
        {
            File.WriteAllText("/dev/termination-log", text);
            return;
        }

        if (args is ["tick"])
        {
            for (var i = 1; ; i++)
            {
                Console.WriteLine($"tick {i}");
                Thread.Sleep(100);
            }
        }

        Console.WriteLine($"shm {new DriveInfo("/dev/shm").TotalSize}");
        foreach (var name in args)
        {
            Console.WriteLine($"{name}={Environment.GetEnvironmentVariable(name)}");
        }
        """;

    public DockerServers Servers { get; private set; } = null!;

    public IDockerClient Engine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Servers = await DockerServers.StartAsync();
        using var configuration = new DockerClientConfiguration(new Uri(Servers.DockerHost));
        Engine = configuration.CreateClient();
        await BuildProbeImageAsync();
    }

    public async Task DisposeAsync()
    {
        Engine?.Dispose();
        if (Servers is not null)
        {
            await Servers.DisposeAsync();
        }
    }

    // create + cp + commit rather than docker build: no builder to depend on, and nothing to pull.
    private async Task BuildProbeImageAsync()
    {
        var folder = Directory.CreateTempSubdirectory("k8s-probe-");
        try
        {
            await CompileProbeAsync(folder.FullName);
            // Named, since the CLI's output mixes the new container's id with the engine's warnings.
            const string container = "k8s-probe-build";
            await Servers.DockerAsync("create", "--name", container, DockerServers.BaseImage, "dotnet");
            await Servers.DockerAsync("cp", $"{folder.FullName}/.", $"{container}:/probe");
            await Servers.DockerAsync("commit", container, ProbeImage);
            await Servers.DockerAsync("rm", container);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // The SDK's own compiler against the running runtime's assemblies: a second or two, where a dotnet build of a
    // project would take many.
    private static async Task CompileProbeAsync(string folder)
    {
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var compiler = new DirectoryInfo(Path.Combine(dotnetRoot, "sdk")).GetDirectories()
            .Select(sdk => (Version: Version.TryParse(sdk.Name.Split('-')[0], out var version) ? version : null, Path: Path.Combine(sdk.FullName, "Roslyn", "bincore", "csc.dll")))
            .Where(sdk => sdk.Version is not null && File.Exists(sdk.Path))
            .MaxBy(sdk => sdk.Version).Path
            ?? throw new InvalidOperationException($"no C# compiler under {dotnetRoot}/sdk");
        await File.WriteAllTextAsync(Path.Combine(folder, "Probe.cs"), ProbeSource);
        var start = new ProcessStartInfo(Path.Combine(dotnetRoot, "dotnet")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "exec", compiler, "-nologo", "-noconfig", "-nostdlib", "-target:exe", $"-out:{folder}/probe.dll", $"{folder}/Probe.cs" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var reference in Directory.GetFiles(runtime, "*.dll"))
        {
            start.ArgumentList.Add($"-r:{reference}");
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"compiling the probe failed: {await output}{await errors}");
        }

        var version = $"{Environment.Version.Major}.{Environment.Version.Minor}";
        var runtimeConfig = new JsonObject
        {
            ["runtimeOptions"] = new JsonObject
            {
                ["tfm"] = $"net{version}",
                ["framework"] = new JsonObject { ["name"] = "Microsoft.NETCore.App", ["version"] = $"{version}.0" },
            },
        };
        await File.WriteAllTextAsync(Path.Combine(folder, "probe.runtimeconfig.json"), runtimeConfig.ToJsonString());
    }
}

[CollectionDefinition(Name)]
public sealed class DockerEngineTests : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "docker-engine";
}
