namespace Kubernetes.Emulator;

/// <summary>A kind of object the emulator serves, with the names its REST paths and discovery use.</summary>
/// <param name="Group">The API group; "" for the core group.</param>
/// <param name="Version">The group's version.</param>
/// <param name="Plural">The resource name in paths (pods).</param>
/// <param name="Kind">The kind in objects (Pod).</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
/// <param name="ShortNames">kubectl's short names (po).</param>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced, params string[] ShortNames)
{
    /// <summary>Every resource the emulator serves.</summary>
    public static IReadOnlyList<ResourceType> All { get; } =
    [
        new("", "v1", "pods", "Pod", true, "po"),
        new("", "v1", "services", "Service", true, "svc"),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "namespaces", "Namespace", false, "ns"),
        new("apps", "v1", "deployments", "Deployment", true, "deploy"),
        new("apps", "v1", "replicasets", "ReplicaSet", true, "rs"),
        new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, "hpa"),
        new("batch", "v1", "jobs", "Job", true),
    ];

    /// <summary>The apiVersion of objects (v1, apps/v1).</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The name Status messages use (deployments.apps, pods).</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>Whether the spec and the status are written apart (status through /status, by controllers).</summary>
    public bool HasStatus => Kind is not ("Secret");

    /// <summary>Finds the type a path names.</summary>
    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    /// <summary>Finds a type by its plural name.</summary>
    public static ResourceType Named(string plural) =>
        All.FirstOrDefault(t => t.Plural == plural) ?? throw new ArgumentException($"the emulator serves no resource '{plural}'", nameof(plural));
}
