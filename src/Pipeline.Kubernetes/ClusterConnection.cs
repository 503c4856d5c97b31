using k8s;
using k8s.Exceptions;

namespace Pipeline.Kubernetes;

/// <summary>
/// Finds the cluster the way kubectl does: an explicit kubeconfig, then KUBECONFIG, then ~/.kube/config, and only
/// then the service account of the pod the pipeline runs in (a CI runner inside the cluster).
/// </summary>
public static class ClusterConnection
{
    /// <summary>Builds a client for the cluster.</summary>
    /// <param name="kubeconfigPath">A kubeconfig file (--kubeconfig); it must exist when given.</param>
    /// <param name="context">A context of the kubeconfig; null for its current context.</param>
    /// <param name="environment">Reads environment variables (KUBECONFIG, HOME); null for the process environment.</param>
    /// <exception cref="KubernetesApiException">No configuration was found, or it is unusable; the message says why.</exception>
    public static IKubernetes Connect(string? kubeconfigPath = null, string? context = null, Func<string, string?>? environment = null) =>
        new k8s.Kubernetes(Configure(kubeconfigPath, context, environment));

    /// <summary>The client configuration <see cref="Connect"/> uses, for callers that need its server or namespace.</summary>
    /// <inheritdoc cref="Connect" path="/param"/>
    /// <exception cref="KubernetesApiException">No configuration was found, or it is unusable; the message says why.</exception>
    public static KubernetesClientConfiguration Configure(string? kubeconfigPath = null, string? context = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var file = KubeconfigFile(kubeconfigPath, environment);
        try
        {
            if (file is not null)
            {
                return KubernetesClientConfiguration.BuildConfigFromConfigFile(new FileInfo(file), currentContext: context);
            }

            if (KubernetesClientConfiguration.IsInCluster())
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }
        }
        catch (KubeConfigException e)
        {
            throw new KubernetesApiException($"kubeconfig {file ?? "(in-cluster)"}: {e.Message}", e);
        }

        throw new KubernetesApiException(
            "no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run inside a cluster");
    }

    private static string? KubeconfigFile(string? explicitPath, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new KubernetesApiException($"kubeconfig {explicitPath} does not exist");
        }

        // KUBECONFIG is a list, as for kubectl; the first file of it that exists is used (no merging of several).
        var listed = environment("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(File.Exists);
        if (listed is not null)
        {
            return listed;
        }

        var home = environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var defaultFile = Path.Combine(home, ".kube", "config");
        return File.Exists(defaultFile) ? defaultFile : null;
    }
}
