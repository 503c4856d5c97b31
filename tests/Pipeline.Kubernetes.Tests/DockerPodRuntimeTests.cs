using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using k8s;
using Kubernetes.Emulator;
using Pipeline.Testing.Containers;

namespace Pipeline.Kubernetes.Tests;

/// <summary>The training pod runner against an emulator whose kubelet runs containers in a real Docker engine.</summary>
[Collection(DockerEngineTests.Name)]
public sealed class DockerPodRuntimeTests(DockerEngineFixture docker)
{
    private const string Probe = "/probe/probe.dll";

    [Fact]
    public async Task What_the_container_writes_to_its_termination_message_file_comes_back_typed()
    {
        await using var emulator = await KubernetesEmulator.StartAsync(new DockerPodRuntime(docker.Engine));
        using var client = Connect(emulator);

        var exit = await new TrainingPodRunner(client).RunAsync(Settings("result", DockerEngineFixture.ProbeImage, Probe, "result", """{"outputs":[{"path":"model"}]}"""), new RecordingLog(), CancellationToken.None);

        Assert.Equal(new PodExit(0, """{"outputs":[{"path":"model"}]}"""), exit);
    }

    [Fact]
    public async Task A_pod_streams_its_containers_output_and_returns_exit_code_0()
    {
        await using var emulator = await KubernetesEmulator.StartAsync(new DockerPodRuntime(docker.Engine));
        using var client = Connect(emulator);
        var log = new RecordingLog();

        var exitCode = (await new TrainingPodRunner(client).RunAsync(Settings("runtimes", DockerServers.BaseImage, "--list-runtimes"), log, CancellationToken.None)).ExitCode;

        Assert.Equal(0, exitCode);
        var lines = log.Lines.ToList();
        var runtime = lines.FindIndex(l => l.StartsWith("Microsoft.NETCore.App ", StringComparison.Ordinal));
        var end = lines.IndexOf("pod train-runtimes: Succeeded, exit code 0");
        Assert.True(runtime >= 0 && runtime < end, $"the runtime list should come before the pod's end:\n{string.Join('\n', lines)}");
        Assert.Single(emulator.DeletedPods);
        await AssertNoContainerLeftAsync("train-runtimes");
    }

    [Fact]
    public async Task A_failing_container_returns_its_non_zero_exit_code_and_its_stderr()
    {
        await using var emulator = await KubernetesEmulator.StartAsync(new DockerPodRuntime(docker.Engine));
        using var client = Connect(emulator);
        var log = new RecordingLog();

        var exitCode = (await new TrainingPodRunner(client).RunAsync(Settings("missing", DockerServers.BaseImage, "/missing.dll"), log, CancellationToken.None)).ExitCode;

        Assert.NotEqual(0, exitCode);
        Assert.Contains(log.Lines, l => l.Contains("/missing.dll", StringComparison.Ordinal));
        Assert.Contains($"pod train-missing: Failed, exit code {exitCode}", log.Lines);
        await AssertNoContainerLeftAsync("train-missing");
    }

    [Fact]
    public async Task Secret_keys_plain_variables_and_the_shm_size_reach_the_container()
    {
        await using var emulator = await KubernetesEmulator.StartAsync(new DockerPodRuntime(docker.Engine));
        emulator.Create("secrets", "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "s3-credentials" },
            ["data"] = new JsonObject { ["AWS_ACCESS_KEY_ID"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("AKIAEMULATOR")) },
            ["stringData"] = new JsonObject { ["AWS_SECRET_ACCESS_KEY"] = "s3cr3t/with=signs" },
        });
        using var client = Connect(emulator);
        var log = new RecordingLog();
        var settings = Settings("env", DockerEngineFixture.ProbeImage, Probe, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PIPELINE_INTERACTIVE") with
        {
            Environment = new Dictionary<string, string> { ["PIPELINE_INTERACTIVE"] = "0" },
            S3CredentialsSecret = "s3-credentials",
            ShmSizeLimit = "256Mi",
        };

        var exitCode = (await new TrainingPodRunner(client).RunAsync(settings, log, CancellationToken.None)).ExitCode;

        Assert.Equal(0, exitCode);
        Assert.Contains("AWS_ACCESS_KEY_ID=AKIAEMULATOR", log.Lines);
        Assert.Contains("AWS_SECRET_ACCESS_KEY=s3cr3t/with=signs", log.Lines);
        Assert.Contains("PIPELINE_INTERACTIVE=0", log.Lines);
        Assert.Contains($"shm {256L * 1024 * 1024}", log.Lines);
    }

    [Fact]
    public async Task A_missing_secret_ends_the_run_with_CreateContainerConfigError()
    {
        await using var emulator = await KubernetesEmulator.StartAsync(new DockerPodRuntime(docker.Engine));
        using var client = Connect(emulator);

        var error = await Assert.ThrowsAsync<TrainingPodException>(() => new TrainingPodRunner(client).RunAsync(
            Settings("no-secret", DockerEngineFixture.ProbeImage, Probe) with { S3CredentialsSecret = "absent" }, new RecordingLog(), CancellationToken.None));

        Assert.Equal("pod train-no-secret cannot start: CreateContainerConfigError: secret \"absent\" not found", error.Message);
        Assert.Empty(await ContainersOfAsync("train-no-secret"));
    }

    [Fact]
    public async Task Cancelling_mid_run_kills_and_removes_the_container_and_deletes_the_pod()
    {
        await using var emulator = await KubernetesEmulator.StartAsync(new DockerPodRuntime(docker.Engine));
        using var client = Connect(emulator);
        using var cancel = new CancellationTokenSource();
        var ticking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new RecordingLog { OnLine = line => { if (line == "tick 3") { ticking.TrySetResult(); } } };

        var run = new TrainingPodRunner(client).RunAsync(Settings("ticks", DockerEngineFixture.ProbeImage, Probe, "tick"), log, cancel.Token);
        await ticking.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var container = Assert.Single(await ContainersOfAsync("train-ticks"));
        Assert.Equal("running", container.State);
        Assert.StartsWith("/train-ticks-", container.Names.Single(), StringComparison.Ordinal);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal("pod train-ticks: deleted", log.Lines[^1]);
        Assert.Single(emulator.DeletedPods);
        Assert.Empty(emulator.List("pods"));
        await AssertNoContainerLeftAsync("train-ticks");
    }

    [Fact]
    public async Task An_image_the_engine_lacks_ends_the_run_with_ErrImagePull()
    {
        await using var emulator = await KubernetesEmulator.StartAsync(new DockerPodRuntime(docker.Engine));
        using var client = Connect(emulator);

        var error = await Assert.ThrowsAsync<TrainingPodException>(() => new TrainingPodRunner(client).RunAsync(
            Settings("absent", "registry.example/planets-train:absent"), new RecordingLog(), CancellationToken.None));

        Assert.StartsWith(
            "pod train-absent cannot start: ErrImagePull: image \"registry.example/planets-train:absent\" is not in the Docker engine",
            error.Message,
            StringComparison.Ordinal);
        Assert.Single(emulator.DeletedPods);
    }

    private static TrainingPodSettings Settings(string runId, string image, params string[] arguments) => new("default", image, runId)
    {
        Command = ["dotnet"],
        Arguments = arguments,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static IKubernetes Connect(KubernetesEmulator emulator)
    {
        var kubeconfig = emulator.WriteKubeconfig(Path.GetTempFileName());
        try
        {
            return ClusterConnection.Connect(kubeconfig);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    private async Task<IList<ContainerListResponse>> ContainersOfAsync(string pod) =>
        await docker.Engine.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{DockerPodRuntime.PodNameLabel}={pod}"] = true },
            },
        });

    // The runtime removes a container after it reports the pod's end, so the removal may trail the runner's return.
    private async Task AssertNoContainerLeftAsync(string pod)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await ContainersOfAsync(pod)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the container of pod {pod} is still in the engine");
            await Task.Delay(100);
        }
    }
}
