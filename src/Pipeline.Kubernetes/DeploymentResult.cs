namespace Pipeline.Kubernetes;

/// <summary>What a deployment did.</summary>
/// <param name="Objects">The objects applied (or, for a dry run, that would be), as kind/name.</param>
/// <param name="Revision">The Deployment's revision now running; 0 for a dry run.</param>
public sealed record DeploymentResult(IReadOnlyList<string> Objects, int Revision);
