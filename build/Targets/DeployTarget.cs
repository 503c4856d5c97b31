using Cake.Common.Diagnostics;
using Cake.Core;
using Pipeline.Kubernetes;
using Planets.Build.Packaging;

namespace Planets.Build.Targets;

/// <summary>
/// The <c>Deploy</c> target: applies <c>kubernetes/</c> server-side with the service image pinned to the digest
/// <c>PushImage</c> recorded (or <c>--image-digest=REPOSITORY@sha256:…</c>), waits for the rollout and rolls back
/// when it fails. <c>--dry-run</c> prints the manifests; <c>--rollout-timeout=SECONDS</c> (default 300).
/// </summary>
internal static class DeployTarget
{
    private const string Manifests = "kubernetes";

    public static void Register(Func<string, CakeTaskBuilder> task) =>
        task("Deploy")
            .Description("Deploys the pushed service image to Kubernetes, waits for the rollout, rolls back on failure (--dry-run, --namespace, --kubeconfig)")
            .Does(DeployAsync);

    private static async Task DeployAsync(ICakeContext context)
    {
        var cluster = ClusterOptions.From(context);
        var root = context.Environment.WorkingDirectory.FullPath;
        var image = TargetOptions.Get(context, "image-digest", null, null)
            ?? (await PushedImageRecord.ReadAsync(root, ServiceBundle.Name, CancellationToken.None)).Pinned;
        var settings = new DeploymentSettings(Path.Combine(root, Manifests), cluster.Namespace, image)
        {
            DryRun = context.Arguments.HasArgument("dry-run"),
            RolloutTimeout = TimeSpan.FromSeconds(TargetOptions.GetInt(context, "rollout-timeout", "Kubernetes_RolloutTimeout", 300)),
        };
        using var client = cluster.Connect();
        using var progress = new ConsoleLines(line => context.Information(line));
        var result = await new DeploymentRunner(client).DeployAsync(settings, progress, CancellationToken.None);
        if (!settings.DryRun)
        {
            context.Information($"Deployed {image} to namespace {cluster.Namespace}: revision {result.Revision} ({string.Join(", ", result.Objects)})");
        }
    }
}
