using System.Globalization;
using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>The non-apply PATCH formats: JSON merge patch (RFC 7386, also standing in for strategic merge) and JSON patch (RFC 6902).</summary>
internal static class Patches
{
    public static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject inner && target[name] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    public static JsonObject Json(JsonObject target, JsonArray operations)
    {
        JsonNode result = target.DeepClone();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = (string?)operation["op"] ?? throw StatusException.BadRequest("JSON patch operation without op");
            var path = Pointer((string?)operation["path"] ?? throw StatusException.BadRequest($"JSON patch {op} without path"));
            var value = operation["value"]?.DeepClone();
            switch (op)
            {
                case "add":
                case "replace":
                    result = Write(result, path, value, insert: op == "add");
                    break;
                case "remove":
                    result = Write(result, path, null, insert: false, remove: true);
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Read(result, path), value))
                    {
                        throw new StatusException(422, "Invalid", $"JSON patch test failed at {operation["path"]}");
                    }

                    break;
                default:
                    throw StatusException.BadRequest($"JSON patch operation '{op}' is not supported by the emulator");
            }
        }

        return result as JsonObject ?? throw StatusException.BadRequest("JSON patch replaced the object with a non-object");
    }

    private static string[] Pointer(string path) =>
        path.Length == 0 ? [] : [.. path.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static JsonNode? Read(JsonNode? node, string[] path)
    {
        foreach (var step in path)
        {
            node = node switch
            {
                JsonObject o => o[step],
                JsonArray a when int.TryParse(step, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        return node;
    }

    private static JsonNode Write(JsonNode root, string[] path, JsonNode? value, bool insert, bool remove = false)
    {
        if (path.Length == 0)
        {
            return value ?? throw StatusException.BadRequest("JSON patch cannot remove the whole object");
        }

        var parent = Read(root, path[..^1]) ?? throw new StatusException(422, "Invalid", $"JSON patch path /{string.Join('/', path)} does not exist");
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o when remove:
                if (!o.Remove(last))
                {
                    throw new StatusException(422, "Invalid", $"JSON patch cannot remove missing /{string.Join('/', path)}");
                }

                break;
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a:
                var index = last == "-" ? a.Count : int.Parse(last, CultureInfo.InvariantCulture);
                if (remove || !insert)
                {
                    a.RemoveAt(index);
                }

                if (!remove)
                {
                    a.Insert(index, value);
                }

                break;
            default:
                throw new StatusException(422, "Invalid", $"JSON patch path /{string.Join('/', path)} is inside a value");
        }

        return root;
    }
}
