using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>The defaults the real API server fills in that clients and the controllers here rely on.</summary>
internal static class Defaults
{
    public static void Apply(ResourceType type, JsonObject item)
    {
        switch (type.Kind)
        {
            case "Deployment":
                var spec = Object(item, "spec");
                spec["replicas"] ??= 1;
                spec["progressDeadlineSeconds"] ??= 600;
                spec["revisionHistoryLimit"] ??= 10;
                break;
            case "ReplicaSet":
                Object(item, "spec")["replicas"] ??= 1;
                break;
            case "Pod":
                Object(item, "spec")["restartPolicy"] ??= "Always";
                Object(item, "status")["phase"] ??= "Pending";
                break;
            case "Service":
                var service = Object(item, "spec");
                service["type"] ??= "ClusterIP";
                service["clusterIP"] ??= $"10.96.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";
                break;
            case "Namespace":
                Object(item, "status")["phase"] ??= "Active";
                break;
            default:
                break;
        }
    }

    public static JsonObject Object(JsonObject parent, string name)
    {
        if (parent[name] is not JsonObject child)
        {
            child = [];
            parent[name] = child;
        }

        return child;
    }
}
