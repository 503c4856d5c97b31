using Cake.Core;
using k8s;
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
    public static ClusterOptions From(ICakeContext context) => new(
        TargetOptions.Get(context, "kubeconfig", null, null),
        TargetOptions.Get(context, "kube-context", null, null),
        TargetOptions.Get(context, "namespace", "Kubernetes_Namespace", "default")!);

    /// <summary>A client of the cluster's API.</summary>
    public IKubernetes Connect() => ClusterConnection.Connect(Kubeconfig, Context);
}

/// <summary>Reads a target's option: the command-line argument, else a cake.config key, else a default.</summary>
internal static class TargetOptions
{
    public static string? Get(ICakeContext context, string argument, string? configKey, string? fallback)
    {
        if (context.Arguments.HasArgument(argument))
        {
            return context.Arguments.GetArgument(argument);
        }

        var configured = configKey is null ? null : context.Configuration.GetValue(configKey);
        return string.IsNullOrWhiteSpace(configured) ? fallback : configured;
    }

    public static int GetInt(ICakeContext context, string argument, string? configKey, int fallback)
    {
        var text = Get(context, argument, configKey, null);
        return text is null ? fallback
            : int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
            : throw new CakeException($"--{argument}={text}: expected a whole number >= 0");
    }
}
