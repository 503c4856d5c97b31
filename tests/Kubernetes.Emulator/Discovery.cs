using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>The discovery documents kubectl and client libraries read to map kinds to paths.</summary>
internal static class Discovery
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-emulator",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-01-01T00:00:00Z",
        ["goVersion"] = "go1.23",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string host) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = host }),
    };

    public static JsonObject Groups() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. ResourceType.All.Where(t => t.Group.Length > 0).GroupBy(t => t.Group).Select(g =>
        {
            var version = new JsonObject { ["groupVersion"] = g.First().ApiVersion, ["version"] = g.First().Version };
            return (JsonNode)new JsonObject
            {
                ["name"] = g.Key,
                ["versions"] = new JsonArray(version.DeepClone()),
                ["preferredVersion"] = version,
            };
        })]),
    };

    public static JsonObject Resources(string group, string version)
    {
        var types = ResourceType.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            throw new StatusException(404, "NotFound", $"the server could not find the requested resource ({group}/{version})");
        }

        var resources = new JsonArray();
        foreach (var type in types)
        {
            resources.Add(new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Kind.ToLowerInvariant(),
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
                ["shortNames"] = type.ShortNames.Length > 0 ? new JsonArray([.. type.ShortNames.Select(s => (JsonNode)s)]) : null,
            });
            if (type.HasStatus)
            {
                resources.Add(Subresource(type, "status", "get", "patch", "update"));
            }

            if (type.Plural == "pods")
            {
                resources.Add(Subresource(type, "log", "get"));
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = types[0].ApiVersion,
            ["resources"] = resources,
        };
    }

    private static JsonObject Subresource(ResourceType type, string name, params string[] verbs) => new()
    {
        ["name"] = $"{type.Plural}/{name}",
        ["singularName"] = "",
        ["namespaced"] = type.Namespaced,
        ["kind"] = type.Kind,
        ["verbs"] = new JsonArray([.. verbs.Select(v => (JsonNode)v)]),
    };
}
