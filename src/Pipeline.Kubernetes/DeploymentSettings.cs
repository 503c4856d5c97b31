namespace Pipeline.Kubernetes;

/// <summary>What <see cref="DeploymentRunner"/> deploys, where, and how long it waits.</summary>
/// <param name="ManifestsFolder">The folder of *.yaml manifests (kubernetes/ in the repository).</param>
/// <param name="Namespace">The namespace every object goes to, whatever the manifests say.</param>
/// <param name="Image">The image pinned by digest (<c>registry/repo@sha256:…</c>), so every pod runs the bytes that were tested.</param>
/// <param name="ImagePlaceholder">The image the manifests name, which <paramref name="Image"/> replaces (e.g. <c>my-service:placeholder</c>).</param>
public sealed record DeploymentSettings(string ManifestsFolder, string Namespace, string Image, string ImagePlaceholder)
{
    /// <summary>The name this framework manages what it creates under: the field manager, the managed-by label.</summary>
    public const string Manager = "pipeline";

    /// <summary>How long the rollout (and a rollback after it) may take.</summary>
    public TimeSpan RolloutTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Print the final manifests and change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>The server-side apply field manager; the same name on every run lets an apply remove what it no longer sets.</summary>
    public string FieldManager { get; init; } = Manager;

    /// <summary>
    /// Take over fields another field manager owns (kubectl's --force-conflicts); the repository is the source of
    /// truth, so this is on unless a caller wants manual edits in the cluster to stop the deployment.
    /// </summary>
    public bool ForceConflicts { get; init; } = true;
}
