namespace Pipeline.Kubernetes;

/// <summary>
/// A rollout failed (timeout, crash loop, failing probes, progress deadline); the message names the reason and the
/// revision the Deployment was rolled back to, or says there was none.
/// </summary>
public class DeploymentFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeploymentFailedException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public DeploymentFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public DeploymentFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the rollout failed, e.g. "pod my-service-x: CrashLoopBackOff".</summary>
    public string Reason { get; init; } = "";

    /// <summary>The revision the Deployment was rolled back to; null when there was none to go back to.</summary>
    public int? RolledBackToRevision { get; init; }
}
