
namespace Pipeline.Kubernetes.Tests;

public sealed class ClusterAccessTests
{
    [Fact]
    public void No_configuration_anywhere_is_one_clear_error()
    {
        var home = Directory.CreateTempSubdirectory("no-kube-").FullName;
        try
        {
            var error = Assert.Throws<KubernetesApiException>(() => ClusterConnection.Configure(environment: name => name == "HOME" ? home : null));

            Assert.StartsWith("no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home);
        }
    }

    [Fact]
    public void A_missing_explicit_kubeconfig_is_named()
    {
        var error = Assert.Throws<KubernetesApiException>(() => ClusterConnection.Configure("/nonexistent/kubeconfig"));

        Assert.Equal("kubeconfig /nonexistent/kubeconfig does not exist", error.Message);
    }

    [Fact]
    public async Task KUBECONFIG_and_a_named_context_are_used()
    {
        await using var cluster = await TestCluster.StartAsync();

        var configuration = ClusterConnection.Configure(context: "emulator", environment: name => name == "KUBECONFIG" ? $"/nonexistent:{cluster.Kubeconfig}" : null);

        Assert.Equal(cluster.Emulator.Server.ToString().TrimEnd('/'), configuration.Host.TrimEnd('/'));
        Assert.Equal("default", configuration.Namespace);
    }

    [KubectlFact]
    public async Task Kubectl_applies_the_manifests_server_side_and_reads_them_back()
    {
        await using var cluster = await TestCluster.StartAsync();
        var manifest = await File.ReadAllTextAsync(Path.Combine(cluster.Manifests, "deployment.yaml"));
        await File.WriteAllTextAsync(Path.Combine(cluster.Manifests, "deployment.yaml"), manifest.Replace(TestCluster.Placeholder, TestCluster.ImageV1, StringComparison.Ordinal));

        var applied = Kubectl(cluster, "apply", "--server-side", "--validate=false", "-f", cluster.Manifests);
        var names = Kubectl(cluster, "get", "deployments,services,hpa", "-o", "name");
        var image = Kubectl(cluster, "get", "deployment", "planets-service", "-o", "jsonpath={.spec.template.spec.containers[0].image}");

        Assert.Contains("deployment.apps/planets-service serverside-applied", applied, StringComparison.Ordinal);
        Assert.Equal(["deployment.apps/planets-service", "horizontalpodautoscaler.autoscaling/planets-service", "service/planets-service"], names.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Equal(TestCluster.ImageV1, image);
        Assert.Equal("kubectl", (string?)cluster.Emulator.Get("deployments", "default", "planets-service")!["metadata"]!["managedFields"]![0]!["manager"]);
    }

    private static string Kubectl(TestCluster cluster, params string[] arguments) =>
        TestProcess.Run("kubectl", ["--kubeconfig", cluster.Kubeconfig, .. arguments]);
}

/// <summary>A fact that is skipped, saying why, on machines without kubectl.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, "kubectl")));
        if (!found)
        {
            Skip = "kubectl is not installed";
        }
    }
}
