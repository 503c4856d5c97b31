using System.Text.Json.Nodes;
using Kubernetes.Emulator;

namespace Pipeline.Kubernetes.Tests;

public sealed class TrainingPodRunnerTests
{
    private const string Image = "registry.example/planets-train@sha256:3333333333333333333333333333333333333333333333333333333333333333";

    private static TrainingPodSettings Settings(string runId = "Run_42") => new("default", Image, runId)
    {
        Arguments = ["train", "data/prepared", "model"],
        Environment = new Dictionary<string, string> { ["PIPELINE_INTERACTIVE"] = "0" },
        GpuCount = 1,
        NodeSelector = new Dictionary<string, string> { ["pool"] = "gpu" },
        Tolerations = [new PodToleration("nvidia.com/gpu")],
        S3CredentialsSecret = "s3-credentials",
        ShmSizeLimit = "1Gi",
        Timeout = TimeSpan.FromSeconds(20),
    };

    [Fact]
    public async Task The_log_streams_in_order_the_exit_code_comes_back_and_the_pod_is_deleted()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(Image, PodScripts.Exit(0, ["epoch 1/3 loss 0.9", "epoch 2/3 loss 0.5", "epoch 3/3 loss 0.2"], message: """{"outputs":[]}"""));
        var log = new RecordingLog();

        var exit = await new TrainingPodRunner(cluster.Client).RunAsync(Settings(), log, CancellationToken.None);

        Assert.Equal(new PodExit(0, """{"outputs":[]}"""), exit);
        var epochs = log.Lines.Where(l => l.StartsWith("epoch", StringComparison.Ordinal));
        Assert.Equal(["epoch 1/3 loss 0.9", "epoch 2/3 loss 0.5", "epoch 3/3 loss 0.2"], epochs);
        Assert.Equal("pod train-run-42: deleted", log.Lines[^1]);
        var pod = Assert.Single(cluster.Emulator.DeletedPods);
        Assert.Empty(cluster.Emulator.List("pods"));
        var spec = pod["spec"]!;
        var container = spec["containers"]![0]!;
        Assert.Equal("train-run-42", (string?)pod["metadata"]!["name"]);
        Assert.Equal("training", (string?)pod["metadata"]!["labels"]!["app.kubernetes.io/component"]);
        Assert.Equal("pipeline", (string?)pod["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        Assert.Equal("run-42", (string?)pod["metadata"]!["labels"]!["run-id"]);
        Assert.Equal("Never", (string?)spec["restartPolicy"]);
        Assert.Equal("1", (string?)container["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("gpu", (string?)spec["nodeSelector"]!["pool"]);
        Assert.Equal("nvidia.com/gpu", (string?)spec["tolerations"]![0]!["key"]);
        Assert.Equal("s3-credentials", (string?)container["envFrom"]![0]!["secretRef"]!["name"]);
        Assert.Equal("/dev/shm", (string?)container["volumeMounts"]![0]!["mountPath"]);
        Assert.Equal("Memory", (string?)spec["volumes"]![0]!["emptyDir"]!["medium"]);
        Assert.Equal("1Gi", (string?)spec["volumes"]![0]!["emptyDir"]!["sizeLimit"]);
        Assert.Equal(["train", "data/prepared", "model"], ((JsonArray)container["args"]!).Select(a => (string?)a));
        Assert.Equal((PodExit.MessagePath, "File"), ((string?)container["terminationMessagePath"], (string?)container["terminationMessagePolicy"]));
    }

    [Fact]
    public async Task A_failing_run_returns_its_exit_code_and_the_pod_is_deleted()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(Image, PodScripts.Exit(3, ["out of memory"]));
        var log = new RecordingLog();

        var exitCode = (await new TrainingPodRunner(cluster.Client).RunAsync(Settings(), log, CancellationToken.None)).ExitCode;

        Assert.Equal(3, exitCode);
        Assert.Contains("out of memory", log.Lines);
        Assert.Single(cluster.Emulator.DeletedPods);
        Assert.Empty(cluster.Emulator.List("pods"));
    }

    [Fact]
    public async Task Cancelling_mid_log_deletes_the_pod()
    {
        await using var cluster = await TestCluster.StartAsync();
        var lines = Enumerable.Range(1, 200).Select(i => $"step {i}").ToList();
        cluster.Runtime.ForImage(Image, PodScripts.Exit(0, lines, TimeSpan.FromMilliseconds(20)));
        using var cancel = new CancellationTokenSource();
        var log = new RecordingLog { OnLine = line => { if (line == "step 3") { cancel.Cancel(); } } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TrainingPodRunner(cluster.Client).RunAsync(Settings(), log, cancel.Token));

        Assert.DoesNotContain("step 100", log.Lines);
        Assert.Equal("pod train-run-42: deleted", log.Lines[^1]);
        Assert.Single(cluster.Emulator.DeletedPods);
        Assert.Empty(cluster.Emulator.List("pods"));
    }

    [Fact]
    public async Task A_run_past_its_timeout_is_stopped_and_the_pod_deleted()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(Image, PodScripts.NeverReady());

        var error = await Assert.ThrowsAsync<TrainingPodException>(() => new TrainingPodRunner(cluster.Client).RunAsync(
            Settings() with { Timeout = TimeSpan.FromMilliseconds(500) }, new RecordingLog(), CancellationToken.None));

        Assert.StartsWith("pod train-run-42 did not finish within 00:00:00.5", error.Message, StringComparison.Ordinal);
        Assert.Single(cluster.Emulator.DeletedPods);
    }

    [Fact]
    public async Task An_unschedulable_pod_ends_the_run_at_once_with_the_scheduler_message()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(Image, PodScripts.Unschedulable());

        var error = await Assert.ThrowsAsync<TrainingPodException>(
            () => new TrainingPodRunner(cluster.Client).RunAsync(Settings(), new RecordingLog(), CancellationToken.None));

        Assert.Equal("pod train-run-42 cannot start: Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.", error.Message);
        Assert.Single(cluster.Emulator.DeletedPods);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_ends_the_run_with_the_reason()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(Image, PodScripts.ImagePullBackOff());

        var error = await Assert.ThrowsAsync<TrainingPodException>(
            () => new TrainingPodRunner(cluster.Client).RunAsync(Settings(), new RecordingLog(), CancellationToken.None));

        // The kubelet reports ErrImagePull, then ImagePullBackOff moments later; a busy watcher may see either first.
        Assert.Matches("^pod train-run-42 cannot start: (ErrImagePull: failed to pull image|ImagePullBackOff: Back-off pulling image) \"", error.Message);
        Assert.Single(cluster.Emulator.DeletedPods);
    }

    [Fact]
    public async Task Forbidden_pod_creation_names_the_verb_and_resource_and_leaves_nothing_behind()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Emulator.Forbid("create", "pods");

        var error = await Assert.ThrowsAsync<KubernetesApiException>(
            () => new TrainingPodRunner(cluster.Client).RunAsync(Settings(), new RecordingLog(), CancellationToken.None));

        Assert.StartsWith("forbidden: not allowed to create pods in namespace \"default\"", error.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.Emulator.DeletedPods);
    }

    [Fact]
    public void Run_ids_become_valid_pod_names()
    {
        Assert.Equal("train-2024-05-01t12-00-00z", TrainingPodRunner.PodName("2024-05-01T12:00:00Z"));
        Assert.Throws<ArgumentException>(() => TrainingPodRunner.PodName("::"));
    }
}
