using System.Diagnostics;

namespace Pipeline.Testing.Containers;

/// <summary>
/// A real Docker engine (dockerd, vfs storage, no bridge: containers use the host network) and a real OCI registry
/// (docker-registry), each started for the test run in its own temporary folder and stopped at the end. The engine
/// holds <see cref="BaseImage"/>, a stand-in for the official ASP.NET image built from this machine's .NET runtime,
/// since no base image can be pulled here.
/// </summary>
public sealed class DockerServers : IAsyncDisposable
{
    /// <summary>The stand-in base image's name.</summary>
    public const string BaseImage = "planets-test-base:1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string root = Path.Combine(Path.GetTempPath(), $"docker-tests-{Guid.NewGuid():N}"[..24]);
    private readonly List<Process> processes = [];

    /// <summary>The engine's address, for DOCKER_HOST or <c>--docker-host</c>.</summary>
    public string DockerHost => $"unix://{root}/docker.sock";

    /// <summary>The registry's host and port.</summary>
    public string Registry { get; private set; } = string.Empty;

    /// <summary>Starts both servers and imports the base image.</summary>
    public static async Task<DockerServers> StartAsync()
    {
        var servers = new DockerServers();
        try
        {
            await servers.StartEngineAsync();
            await servers.StartRegistryAsync();
            await servers.ImportBaseImageAsync();
            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the docker CLI against the engine and returns its output; fails on a non-zero exit.</summary>
    public async Task<string> DockerAsync(params string[] arguments)
    {
        var (exitCode, output) = await RunAsync("docker", ["-H", DockerHost, .. arguments]);
        return exitCode == 0 ? output : throw new InvalidOperationException($"docker {string.Join(' ', arguments)} exited with {exitCode}: {output}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
        {
            if (!process.HasExited)
            {
                // dockerd stops its containers and containerd on SIGTERM; a kill would leave them behind.
                Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
                if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            process.Dispose();
        }

        await RunAsync("umount", ["-R", root]);
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // vfs layers can hold read-only or busy files for a moment; the temp folder is cleaned by the OS later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task StartEngineAsync()
    {
        Directory.CreateDirectory(root);
        Start("dockerd", [
            $"--data-root={root}/data", $"--exec-root={root}/exec", $"--pidfile={root}/docker.pid", "-H", DockerHost,
            "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none", "--ip-forward=false", "--ip-masq=false",
        ]);
        await WaitForAsync("the Docker engine", async () => (await RunAsync("docker", ["-H", DockerHost, "version"])).ExitCode == 0);
    }

    private async Task StartRegistryAsync()
    {
        var port = TcpPorts.Free();
        Registry = $"127.0.0.1:{port}";
        var config = Path.Combine(root, "registry.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {root}/registry
              delete:
                enabled: true
            http:
              addr: {Registry}
            """);
        Start("docker-registry", ["serve", config]);
        using var http = new HttpClient();
        await WaitForAsync("the registry", async () =>
        {
            try
            {
                return (await http.GetAsync(new Uri($"http://{Registry}/v2/"))).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        });
    }

    private async Task ImportBaseImageAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "tests", "Shared", "Containers", "make-base-rootfs.sh");
        var tar = Path.Combine(root, "base.tar");
        var (exitCode, output) = await RunAsync("bash", ["-c", $"bash '{script}' > '{tar}'"]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"make-base-rootfs.sh failed: {output}");
        }

        await DockerAsync("import", tar, BaseImage);
        File.Delete(tar);
    }

    private void Start(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        try
        {
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            processes.Add(process);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is not installed: apt-get install docker.io docker-registry (as .ci/run does)", ex);
        }
    }

    private static async Task WaitForAsync(string what, Func<Task<bool>> ready)
    {
        var clock = Stopwatch.StartNew();
        while (!await ready())
        {
            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"{what} did not start within {StartTimeout.TotalSeconds} s");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
