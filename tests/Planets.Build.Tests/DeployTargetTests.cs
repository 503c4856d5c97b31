using Kubernetes.Emulator;

namespace Planets.Build.Tests;

/// <summary>The Deploy target with the real <c>dotnet cake</c> against the Kubernetes API emulator (pods simulated).</summary>
public sealed class DeployTargetTests : IAsyncLifetime, IDisposable
{
    private const string Good = "127.0.0.1:5000/planets-service@sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Crashing = "127.0.0.1:5000/planets-service@sha256:2222222222222222222222222222222222222222222222222222222222222222";

    private readonly RepositoryCopy repository = new();
    private readonly SimulatedPodRuntime runtime = new();
    private KubernetesEmulator cluster = null!;
    private string kubeconfig = null!;

    public async Task InitializeAsync()
    {
        runtime.ForImage(Crashing, PodScripts.CrashLoop());
        cluster = await KubernetesEmulator.StartAsync(runtime);
        kubeconfig = cluster.WriteKubeconfig(Path.Combine(repository.Root, "kubeconfig"));
    }

    [Fact]
    public async Task Deploy_rolls_out_the_pinned_image_and_rolls_back_a_crashing_one_with_the_reason()
    {
        var dryRun = await DeployAsync(Good, "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains($"image: {Good}", dryRun.Output, StringComparison.Ordinal);
        Assert.Empty(cluster.List("deployments", "default"));

        var deployed = await DeployAsync(Good);
        Assert.True(deployed.ExitCode == 0, deployed.Output);
        Assert.Contains($"Deployed {Good} to namespace default: revision 1", deployed.Output, StringComparison.Ordinal);

        var failed = await DeployAsync(Crashing, "--rollout-timeout=20");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Matches(@"Error: deployment/planets-service failed: .*CrashLoopBackOff.*; rolled back to revision 1", failed.Output);
        var deployment = Assert.Single(cluster.List("deployments", "default"));
        Assert.Equal(Good, (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public async Task Deploy_before_any_push_says_to_push_first()
    {
        var result = await repository.CakeAsync("--target=Deploy", $"--kubeconfig={kubeconfig}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Error: .pipeline/images/planets-service.json not found: push the image first (--target=PushImage)", result.Output, StringComparison.Ordinal);
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    public void Dispose() => repository.Dispose();

    private Task<(int ExitCode, string Output)> DeployAsync(string image, params string[] options) =>
        repository.CakeAsync(["--target=Deploy", $"--image-digest={image}", $"--kubeconfig={kubeconfig}", .. options]);
}
