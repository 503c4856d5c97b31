using Cake.Common.Diagnostics;
using Cake.Core;
using Pipeline.Cake;
using Pipeline.Kubernetes;
using Planets.Build.Packaging;
using Pipeline.Core.Execution;

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
        var options = new TargetOptions(context);
        var root = context.Environment.WorkingDirectory.FullPath;
        var image = options.Text("image-digest")
            ?? (await PushedImageRecord.ReadAsync(root, ServiceBundle.Name, RunStopping.Token)).Pinned;
        var settings = new DeploymentSettings(Path.Combine(root, Manifests), cluster.Namespace, image, $"{ServiceBundle.Name}:placeholder")
        {
            DryRun = options.Flag("dry-run"),
            RolloutTimeout = TimeSpan.FromSeconds(options.Number("rollout-timeout", "Kubernetes_RolloutTimeout", 300, minimum: 1)),
        };
        using var client = cluster.Connect();
        var progress = new CakePipelineLog(context.Log);
        var result = await new DeploymentRunner(client).DeployAsync(settings, progress, RunStopping.Token);
        if (!settings.DryRun)
        {
            context.Information($"Deployed {image} to namespace {cluster.Namespace}: revision {result.Revision} ({string.Join(", ", result.Objects)})");
        }
    }
}
