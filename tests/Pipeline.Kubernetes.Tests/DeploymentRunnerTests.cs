using k8s;
using Kubernetes.Emulator;

namespace Pipeline.Kubernetes.Tests;

public sealed class DeploymentRunnerTests
{
    [Fact]
    public async Task Apply_creates_the_objects_then_updates_them_in_place()
    {
        await using var cluster = await TestCluster.StartAsync();
        var runner = new DeploymentRunner(cluster.Client);

        var first = await runner.DeployAsync(cluster.Deployment(TestCluster.ImageV1), new RecordingLog(), CancellationToken.None);
        var second = await runner.DeployAsync(cluster.Deployment(TestCluster.ImageV2), new RecordingLog(), CancellationToken.None);

        Assert.Equal(["deployment/planets-service", "horizontalpodautoscaler/planets-service", "service/planets-service"], first.Objects.Order());
        Assert.Equal((1, 2), (first.Revision, second.Revision));
        var deployment = Assert.Single(cluster.Emulator.List("deployments", "default"));
        Assert.Equal(2, (long?)deployment["metadata"]!["generation"]);
        Assert.Equal(TestCluster.ImageV2, (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("pipeline", (string?)deployment["metadata"]!["managedFields"]![0]!["manager"]);
        var revisions = cluster.Emulator.List("replicasets", "default")
            .Select(s => (string?)s["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]).Order();
        Assert.Equal(["1", "2"], revisions);
        Assert.Single(cluster.Emulator.List("services", "default"));
        Assert.Single(cluster.Emulator.List("horizontalpodautoscalers", "default"));
        var applies = cluster.Emulator.Requests.Where(r => r.Verb == "patch" && r.Resource == "deployments").ToList();
        Assert.Equal(2, applies.Count);
        Assert.All(applies, r => Assert.StartsWith("application/apply-patch+yaml", r.ContentType, StringComparison.Ordinal));
        Assert.All(applies, r => Assert.Contains("fieldManager=pipeline", r.Query, StringComparison.Ordinal));
        Assert.All(applies, r => Assert.Contains("force=true", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dry_run_prints_the_manifests_with_the_pinned_digest_and_creates_nothing()
    {
        await using var cluster = await TestCluster.StartAsync();
        var output = new RecordingLog();

        var result = await new DeploymentRunner(cluster.Client).DeployAsync(cluster.Deployment(TestCluster.ImageV1) with { DryRun = true }, output, CancellationToken.None);

        var text = output.ToString();
        Assert.Contains($"image: {TestCluster.ImageV1}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("placeholder", text, StringComparison.Ordinal);
        Assert.Contains("kind: HorizontalPodAutoscaler", text, StringComparison.Ordinal);
        Assert.Equal(0, result.Revision);
        Assert.Empty(cluster.Emulator.List("deployments"));
        Assert.DoesNotContain(cluster.Emulator.Requests, r => r.Method != "GET");
    }

    [Fact]
    public async Task A_successful_rollout_reports_its_progress()
    {
        await using var cluster = await TestCluster.StartAsync();
        // Long enough that the rollout's first progress report comes before the pods are ready, even on a loaded machine.
        cluster.Runtime.ForImage(TestCluster.ImageV1, PodScripts.ReadyAfter(TimeSpan.FromSeconds(2)));
        var output = new RecordingLog();

        await new DeploymentRunner(cluster.Client).DeployAsync(cluster.Deployment(TestCluster.ImageV1), output, CancellationToken.None);

        Assert.Contains("deployment/planets-service created (server-side apply)", output.Lines);
        Assert.Contains(output.Lines, l => l.StartsWith("rollout: 0 of 2 updated replicas available", StringComparison.Ordinal));
        Assert.Equal("rollout: deployment/planets-service successfully rolled out (revision 1)", output.Lines[^1]);
        var deployment = cluster.Emulator.Get("deployments", "default", "planets-service")!;
        Assert.Equal(2, (long?)deployment["status"]!["availableReplicas"]);
    }

    [Fact]
    public async Task A_crash_looping_revision_is_rolled_back_to_the_previous_one()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(TestCluster.ImageV2, PodScripts.CrashLoop(exitCode: 3));
        var runner = new DeploymentRunner(cluster.Client);
        await runner.DeployAsync(cluster.Deployment(TestCluster.ImageV1), new RecordingLog(), CancellationToken.None);

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(
            () => runner.DeployAsync(cluster.Deployment(TestCluster.ImageV2), new RecordingLog(), CancellationToken.None));

        Assert.Matches("^deployment/planets-service failed: pod planets-service-[a-z0-9]+-[a-z0-9]+: CrashLoopBackOff, [0-9]+ restarts.*; rolled back to revision 1$", failure.Message);
        Assert.Equal(1, failure.RolledBackToRevision);
        Assert.Equal(TestCluster.ImageV1, TemplateImage(cluster));
    }

    [Fact]
    public async Task A_revision_that_never_becomes_ready_is_rolled_back_when_the_timeout_ends()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(TestCluster.ImageV2, PodScripts.NeverReady());
        var runner = new DeploymentRunner(cluster.Client);
        await runner.DeployAsync(cluster.Deployment(TestCluster.ImageV1), new RecordingLog(), CancellationToken.None);

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => runner.DeployAsync(
            cluster.Deployment(TestCluster.ImageV2) with { RolloutTimeout = TimeSpan.FromSeconds(1.5) }, new RecordingLog(), CancellationToken.None));

        Assert.Contains("readiness probe failing: pod planets-service-", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith("; rolled back to revision 1", failure.Message, StringComparison.Ordinal);
        Assert.Equal(TestCluster.ImageV1, TemplateImage(cluster));
    }

    [Fact]
    public async Task A_failing_first_deployment_says_there_is_nothing_to_roll_back_to()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(TestCluster.ImageV1, PodScripts.ImagePullBackOff());

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(
            () => new DeploymentRunner(cluster.Client).DeployAsync(cluster.Deployment(TestCluster.ImageV1), new RecordingLog(), CancellationToken.None));

        Assert.Matches("^deployment/planets-service failed: pod planets-service-[a-z0-9-]+: (ErrImagePull|ImagePullBackOff): ", failure.Message);
        Assert.EndsWith("nothing to roll back to (this was its first revision)", failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.RolledBackToRevision);
    }

    [Fact]
    public async Task An_image_not_pinned_to_a_digest_is_refused()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => new DeploymentRunner(cluster.Client).DeployAsync(cluster.Deployment("planets-service:latest"), new RecordingLog(), CancellationToken.None));

        Assert.Contains("not pinned to a digest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_apply_names_the_verb_the_resource_and_the_namespace()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Emulator.Forbid("patch", "deployments");

        var error = await Assert.ThrowsAsync<KubernetesApiException>(
            () => new DeploymentRunner(cluster.Client).DeployAsync(cluster.Deployment(TestCluster.ImageV1), new RecordingLog(), CancellationToken.None));

        Assert.StartsWith("forbidden: not allowed to patch deployments in namespace \"default\" (deployments.apps is forbidden: User", error.Message, StringComparison.Ordinal);
        Assert.Equal(403, error.StatusCode);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(KubernetesEmulator.Token, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_field_owned_by_another_manager_is_a_conflict_unless_forced()
    {
        await using var cluster = await TestCluster.StartAsync();
        var runner = new DeploymentRunner(cluster.Client);
        await runner.DeployAsync(cluster.Deployment(TestCluster.ImageV1), new RecordingLog(), CancellationToken.None);
        var handEdit = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"planets-service"},"spec":{"replicas":3}}""";
        await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new k8s.Models.V1Patch(handEdit, k8s.Models.V1Patch.PatchType.ApplyPatch), "planets-service", "default", fieldManager: "kubectl", force: true);

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => runner.DeployAsync(
            cluster.Deployment(TestCluster.ImageV1) with { ForceConflicts = false }, new RecordingLog(), CancellationToken.None));

        Assert.Equal(409, error.StatusCode);
        Assert.StartsWith("conflict: another field manager owns fields this apply sets on deployments/planets-service", error.Message, StringComparison.Ordinal);
        Assert.Contains("conflict with \"kubectl\": .spec.replicas", error.Message, StringComparison.Ordinal);

        await runner.DeployAsync(cluster.Deployment(TestCluster.ImageV1), new RecordingLog(), CancellationToken.None);
        Assert.Equal(2, (long?)cluster.Emulator.Get("deployments", "default", "planets-service")!["spec"]!["replicas"]);
    }

    [Fact]
    public async Task A_missing_namespace_is_named()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => new DeploymentRunner(cluster.Client).DeployAsync(
            cluster.Deployment(TestCluster.ImageV1) with { Namespace = "serving" }, new RecordingLog(), CancellationToken.None));

        Assert.Equal("namespace \"serving\" does not exist; create it (kubectl create namespace serving) or choose another", error.Message);
    }

    [Fact]
    public async Task A_server_that_refuses_connections_is_named()
    {
        string kubeconfig;
        Uri server;
        await using (var cluster = await TestCluster.StartAsync())
        {
            kubeconfig = Path.Combine(Path.GetTempPath(), $"closed-{Guid.NewGuid():N}.kubeconfig");
            cluster.Emulator.WriteKubeconfig(kubeconfig);
            server = cluster.Emulator.Server;
            File.Copy(cluster.Manifests + "/deployment.yaml", Path.Combine(Path.GetTempPath(), $"{Path.GetFileName(kubeconfig)}.yaml"));
        }

        var manifests = Directory.CreateTempSubdirectory("closed-").FullName;
        try
        {
            File.Move(Path.Combine(Path.GetTempPath(), $"{Path.GetFileName(kubeconfig)}.yaml"), Path.Combine(manifests, "deployment.yaml"));
            using var client = ClusterConnection.Connect(kubeconfig);

            var error = await Assert.ThrowsAsync<KubernetesApiException>(() => new DeploymentRunner(client).DeployAsync(
                new DeploymentSettings(manifests, "default", TestCluster.ImageV1, TestCluster.Placeholder), new RecordingLog(), CancellationToken.None));

            Assert.Equal($"cannot reach the Kubernetes API at {server}: connection refused (is the cluster running, and is the kubeconfig's server address right?)", error.Message);
            Assert.Null(error.StatusCode);
        }
        finally
        {
            File.Delete(kubeconfig);
            Directory.Delete(manifests, recursive: true);
        }
    }

    private static string? TemplateImage(TestCluster cluster) =>
        (string?)cluster.Emulator.Get("deployments", "default", "planets-service")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"];
}
