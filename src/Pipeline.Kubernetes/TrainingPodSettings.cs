namespace Pipeline.Kubernetes;

/// <summary>The pod a remote training run uses.</summary>
/// <param name="Namespace">Where the pod runs.</param>
/// <param name="Image">The training image, ideally pinned by digest.</param>
/// <param name="RunId">Names the pod (<c>train-&lt;run id&gt;</c>) and labels it, so a run's pod can be found and never collides with another's.</param>
public sealed record TrainingPodSettings(string Namespace, string Image, string RunId)
{
    /// <summary>The container's command; empty to keep the image's entrypoint.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>The container's arguments.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Environment variables of the container (no secrets: those come from <see cref="S3CredentialsSecret"/>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>GPUs the pod asks for (nvidia.com/gpu); 0 for none.</summary>
    public int GpuCount { get; init; }

    /// <summary>Labels a node must have, e.g. the GPU pool's.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints the pod tolerates, e.g. the one that keeps other work off GPU nodes.</summary>
    public IReadOnlyList<PodToleration> Tolerations { get; init; } = [];

    /// <summary>A Secret whose keys become environment variables (AWS_ACCESS_KEY_ID…), so credentials never pass through the pipeline; null for none.</summary>
    public string? S3CredentialsSecret { get; init; }

    /// <summary>
    /// The size of the memory-backed /dev/shm: data loader workers share batches through it, and a container's
    /// default 64 MiB is too small for that.
    /// </summary>
    public string ShmSizeLimit { get; init; } = "4Gi";

    /// <summary>How long the whole run may take, from creating the pod to its end.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string ImagePullPolicy { get; init; } = "IfNotPresent";
}

/// <summary>A taint the training pod tolerates.</summary>
/// <param name="Key">The taint's key, e.g. nvidia.com/gpu.</param>
/// <param name="Operator">Exists (any value) or Equal (<paramref name="Value"/>).</param>
/// <param name="Value">The value for Equal; null for Exists.</param>
/// <param name="Effect">NoSchedule, PreferNoSchedule, NoExecute; null for all.</param>
public sealed record PodToleration(string Key, string Operator = "Exists", string? Value = null, string? Effect = "NoSchedule");
