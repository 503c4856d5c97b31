using k8s;
using Kubernetes.Emulator;

namespace Pipeline.Kubernetes.Tests;

/// <summary>An emulator with a scripted kubelet, a client connected through a kubeconfig, and a copy of the repository's manifests.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    /// <summary>The image this repository's manifests name until a deployment pins the real one.</summary>
    public const string Placeholder = "planets-service:placeholder";

    public const string ImageV1 = "registry.example/planets-service@sha256:1111111111111111111111111111111111111111111111111111111111111111";
    public const string ImageV2 = "registry.example/planets-service@sha256:2222222222222222222222222222222222222222222222222222222222222222";

    private TestCluster(KubernetesEmulator emulator, SimulatedPodRuntime runtime, string folder)
    {
        Emulator = emulator;
        Runtime = runtime;
        Folder = folder;
        Kubeconfig = emulator.WriteKubeconfig(Path.Combine(folder, "kubeconfig"));
        Client = ClusterConnection.Connect(Kubeconfig);
        Manifests = Path.Combine(folder, "kubernetes");
        Directory.CreateDirectory(Manifests);
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "kubernetes"), "*.yaml"))
        {
            File.Copy(file, Path.Combine(Manifests, Path.GetFileName(file)));
        }
    }

    public KubernetesEmulator Emulator { get; }

    public SimulatedPodRuntime Runtime { get; }

    public IKubernetes Client { get; }

    public string Folder { get; }

    public string Kubeconfig { get; }

    public string Manifests { get; }

    public static async Task<TestCluster> StartAsync()
    {
        var runtime = new SimulatedPodRuntime();
        var folder = Directory.CreateTempSubdirectory("k8s-tests-").FullName;
        return new TestCluster(await KubernetesEmulator.StartAsync(runtime), runtime, folder);
    }

    public DeploymentSettings Deployment(string image) => new(Manifests, "default", image, Placeholder) { RolloutTimeout = TimeSpan.FromSeconds(10) };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
