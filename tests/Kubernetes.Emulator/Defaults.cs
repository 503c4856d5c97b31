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
            case "Job":
                var job = Object(item, "spec");
                job["parallelism"] ??= 1;
                job["completions"] ??= 1;
                job["completionMode"] ??= "NonIndexed";
                job["backoffLimit"] ??= job["backoffLimitPerIndex"] is null ? 6 : int.MaxValue;
                job["suspend"] ??= false;
                if ((string?)job["completionMode"] != "Indexed")
                {
                    throw StatusException.Invalid(type, (string?)item["metadata"]?["name"] ?? "", "spec.completionMode: Unsupported value: this emulator runs Indexed Jobs only");
                }

                Object(Object(job, "template"), "spec")["restartPolicy"] ??= "Never";
                if ((string?)job["template"]!["spec"]!["restartPolicy"] is not ("Never" or "OnFailure"))
                {
                    throw StatusException.Invalid(type, (string?)item["metadata"]?["name"] ?? "", "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"");
                }

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
