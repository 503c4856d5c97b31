using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>
/// Field paths of objects for server-side apply: an object's fields down to its leaves, where a list is one leaf
/// (every list is atomic here, a simplification of the real merge keys), and their FieldsV1 form (<c>f:spec</c>…).
/// </summary>
internal static class Fields
{
    // Label and annotation keys hold dots and slashes, so path steps are joined with a character no key has.
    private const char Separator = '\u001f';

    private static readonly HashSet<string> Identity = ["apiVersion", "kind", "status"];

    public static HashSet<string> Leaves(JsonObject root)
    {
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in root)
        {
            if (Identity.Contains(name))
            {
                continue;
            }

            if (name == "metadata" && value is JsonObject metadata)
            {
                foreach (var part in new[] { "labels", "annotations" })
                {
                    if (metadata[part] is JsonObject entries)
                    {
                        Collect(entries, $"metadata{Separator}{part}", leaves);
                    }
                }

                continue;
            }

            Collect(value, name, leaves);
        }

        return leaves;
    }

    public static JsonNode? Get(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var step in path.Split(Separator))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(step, out var next) ? next : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var steps = path.Split(Separator);
        var node = root;
        foreach (var step in steps[..^1])
        {
            if (node[step] is not JsonObject child)
            {
                child = [];
                node[step] = child;
            }

            node = child;
        }

        node[steps[^1]] = value?.DeepClone();
    }

    public static void Remove(JsonObject root, string path)
    {
        var steps = path.Split(Separator);
        var parents = new List<JsonObject> { root };
        foreach (var step in steps[..^1])
        {
            if (parents[^1][step] is not JsonObject child)
            {
                return;
            }

            parents.Add(child);
        }

        parents[^1].Remove(steps[^1]);

        // Objects emptied by the removal go too, as the real server prunes them.
        for (var i = parents.Count - 1; i > 0 && parents[i].Count == 0; i--)
        {
            parents[i - 1].Remove(steps[i - 1]);
        }
    }

    public static string Display(string path) => "." + path.Replace(Separator, '.');

    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var step in path.Split(Separator))
            {
                if (node[$"f:{step}"] is not JsonObject child)
                {
                    child = [];
                    node[$"f:{step}"] = child;
                }

                node = child;
            }
        }

        return root;
    }

    public static HashSet<string> FromFieldsV1(JsonObject? fields)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonObject node, string prefix)
        {
            var children = node.Where(p => p.Key.StartsWith("f:", StringComparison.Ordinal)).ToList();
            if (children.Count == 0 && prefix.Length > 0)
            {
                paths.Add(prefix);
            }

            foreach (var (key, value) in children)
            {
                var step = key[2..];
                Walk(value as JsonObject ?? [], prefix.Length == 0 ? step : $"{prefix}{Separator}{step}");
            }
        }

        if (fields is not null)
        {
            Walk(fields, "");
        }

        return paths;
    }

    private static void Collect(JsonNode? node, string path, HashSet<string> leaves)
    {
        if (node is JsonObject o && o.Count > 0)
        {
            foreach (var (name, value) in o)
            {
                Collect(value, $"{path}{Separator}{name}", leaves);
            }
        }
        else
        {
            leaves.Add(path);
        }
    }
}
