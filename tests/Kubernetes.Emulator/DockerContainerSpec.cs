using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Docker.DotNet.Models;

namespace Kubernetes.Emulator;

/// <summary>
/// Translates a pod's first container into the Docker engine's create request, the part of a kubelet that turns a
/// spec into a container config.
/// </summary>
internal static partial class DockerContainerSpec
{
    /// <summary>
    /// The create request for <paramref name="pod"/>'s container, named <paramref name="containerName"/>, with the node's
    /// <paramref name="messageFile"/> mounted at its termination-message path.
    /// </summary>
    /// <exception cref="ContainerConfigException">A Secret or key it reads is missing, or the spec asks for what this runtime cannot do.</exception>
    public static CreateContainerParameters Build(PodContext pod, string containerName, string messageFile)
    {
        var container = pod.Container;
        var securityContext = container["securityContext"] ?? pod.Pod["spec"]?["securityContext"];
        return new CreateContainerParameters
        {
            Name = containerName,
            Image = pod.Image,
            // Null rather than empty keeps the image's own entrypoint and command, as Kubernetes does when they are not set.
            Entrypoint = Strings(container["command"]),
            Cmd = Strings(container["args"]),
            Env = Environment(pod),
            WorkingDir = (string?)container["workingDir"],
            User = Json.Long(securityContext?["runAsUser"])?.ToString(CultureInfo.InvariantCulture),
            Labels = new Dictionary<string, string>
            {
                [DockerPodRuntime.PodNameLabel] = pod.Name,
                [DockerPodRuntime.PodNamespaceLabel] = pod.Namespace,
                [DockerPodRuntime.ContainerNameLabel] = pod.ContainerName,
            },
            HostConfig = new HostConfig
            {
                // The test engine has no bridge network, and a pod's containers share the node's view of ports anyway.
                NetworkMode = "host",
                ShmSize = ShmSize(pod),
                Binds = [$"{messageFile}:{(string?)container["terminationMessagePath"] ?? "/dev/termination-log"}"],
            },
        };
    }

    /// <summary>Bytes in a Kubernetes quantity: plain, decimal (k, M, G, T) or binary (Ki, Mi, Gi, Ti).</summary>
    public static long Bytes(string quantity)
    {
        var match = QuantityPattern().Match(quantity);
        if (!match.Success)
        {
            throw new ContainerConfigException($"quantity \"{quantity}\" is not a size such as 512Mi or 2Gi");
        }

        var unit = match.Groups["unit"].Value switch
        {
            "k" => 1e3m,
            "M" => 1e6m,
            "G" => 1e9m,
            "T" => 1e12m,
            "Ki" => 1L << 10,
            "Mi" => 1L << 20,
            "Gi" => 1L << 30,
            "Ti" => 1L << 40,
            _ => 1m,
        };
        return (long)Math.Ceiling(decimal.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture) * unit);
    }

    private static List<string>? Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(item => (string?)item ?? "")] : null;

    // The downward API's fields a container may read: name, namespace, and one label or annotation.
    private static string FieldOf(PodContext pod, string path, string variable)
    {
        var metadata = pod.Pod["metadata"]!;
        var match = System.Text.RegularExpressions.Regex.Match(path, @"^metadata\.(labels|annotations)\['([^']+)'\]$");
        return path switch
        {
            "metadata.name" => pod.Name,
            "metadata.namespace" => pod.Namespace,
            _ when match.Success => (string?)metadata[match.Groups[1].Value]?[match.Groups[2].Value] ?? "",
            _ => throw new ContainerConfigException($"env {variable}: fieldRef {path} is not one this runtime reads"),
        };
    }

    private static IEnumerable<JsonObject> Objects(JsonNode? node) => (node as JsonArray)?.OfType<JsonObject>() ?? [];

    // envFrom first, then env over it: the order in which a kubelet resolves them, so env wins on a clash.
    private static List<string> Environment(PodContext pod)
    {
        var variables = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in Objects(pod.Container["envFrom"]))
        {
            var reference = source["secretRef"] as JsonObject ?? throw new ContainerConfigException("envFrom: this runtime reads only secretRef");
            var prefix = (string?)source["prefix"] ?? "";
            foreach (var (key, value) in Secret(pod, reference) ?? new Dictionary<string, string>())
            {
                variables[prefix + key] = value;
            }
        }

        foreach (var variable in Objects(pod.Container["env"]))
        {
            var name = (string?)variable["name"] ?? "";
            if (variable["valueFrom"] is not JsonObject valueFrom)
            {
                variables[name] = (string?)variable["value"] ?? "";
                continue;
            }

            if (valueFrom["fieldRef"] is JsonObject field)
            {
                variables[name] = FieldOf(pod, (string?)field["fieldPath"] ?? "", name);
                continue;
            }

            var reference = valueFrom["secretKeyRef"] as JsonObject ?? throw new ContainerConfigException($"env {name}: this runtime reads only valueFrom.secretKeyRef and fieldRef");
            var key = (string?)reference["key"] ?? "";
            if (Secret(pod, reference) is not { } secret)
            {
                continue;
            }

            if (secret.TryGetValue(key, out var value))
            {
                variables[name] = value;
            }
            else if (!IsOptional(reference))
            {
                throw new ContainerConfigException($"couldn't find key {key} in Secret {pod.Namespace}/{reference["name"]}");
            }
        }

        return [.. variables.Select(v => $"{v.Key}={v.Value}")];
    }

    private static IReadOnlyDictionary<string, string>? Secret(PodContext pod, JsonObject reference)
    {
        var name = (string?)reference["name"] ?? "";
        return pod.Secret(name) ?? (IsOptional(reference) ? null : throw new ContainerConfigException($"secret \"{name}\" not found"));
    }

    private static bool IsOptional(JsonObject reference) => reference["optional"] is JsonValue optional && optional.TryGetValue<bool>(out var yes) && yes;

    // Docker sizes /dev/shm itself (64 MiB by default); a pod asks for more with a memory emptyDir mounted there.
    private static long ShmSize(PodContext pod)
    {
        var mount = Objects(pod.Container["volumeMounts"]).FirstOrDefault(m => (string?)m["mountPath"] == "/dev/shm");
        var volume = mount is null ? null : Objects(pod.Pod["spec"]?["volumes"]).FirstOrDefault(v => (string?)v["name"] == (string?)mount["name"]);
        return volume?["emptyDir"] is JsonObject emptyDir && (string?)emptyDir["medium"] == "Memory" && (string?)emptyDir["sizeLimit"] is { } limit
            ? Bytes(limit)
            : 0;
    }

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?)(?<unit>Ki|Mi|Gi|Ti|k|M|G|T)?$", RegexOptions.CultureInvariant)]
    private static partial Regex QuantityPattern();
}

/// <summary>The pod's container cannot be configured (a kubelet's CreateContainerConfigError).</summary>
internal sealed class ContainerConfigException(string message) : Exception(message);
