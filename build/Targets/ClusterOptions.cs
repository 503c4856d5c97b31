using Cake.Core;
using k8s;
using Pipeline.Cake;
using Pipeline.Kubernetes;

namespace Planets.Build.Targets;

/// <summary>
/// Which cluster and namespace <c>Deploy</c> and <c>TrainRemote</c> use: <c>--kubeconfig</c> (else KUBECONFIG, else
/// ~/.kube/config, else in-cluster), <c>--kube-context</c>, <c>--namespace</c> (else <c>[Kubernetes] Namespace</c> of
/// cake.config, else <c>default</c>).
/// </summary>
/// <param name="Kubeconfig">The kubeconfig file, or null for the usual places.</param>
/// <param name="Context">The kubeconfig context, or null for its current one.</param>
/// <param name="Namespace">The namespace.</param>
internal sealed record ClusterOptions(string? Kubeconfig, string? Context, string Namespace)
{
    /// <summary>Reads the options.</summary>
    public static ClusterOptions From(ICakeContext context)
    {
        var options = new TargetOptions(context);
        return new(options.Text("kubeconfig"), options.Text("kube-context"), options.Text("namespace", "Kubernetes_Namespace", "default")!);
    }

    /// <summary>A client of the cluster's API.</summary>
    public IKubernetes Connect() => ClusterConnection.Connect(Kubeconfig, Context);
}
