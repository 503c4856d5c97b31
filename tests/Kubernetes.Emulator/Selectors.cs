using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>Label selectors (k=v, k!=v, k, !k) and field selectors (metadata.name, metadata.namespace, status.phase).</summary>
internal static class Selectors
{
    public static Func<JsonObject, bool> Parse(string? labelSelector, string? fieldSelector)
    {
        var labels = Terms(labelSelector).ToList();
        var fields = Terms(fieldSelector).ToList();
        return item =>
        {
            var itemLabels = item["metadata"]?["labels"] as JsonObject;
            return labels.All(t => t.Matches(itemLabels?[t.Key] is { } v ? (string?)v : null))
                && fields.All(t => t.Matches(Field(item, t.Key)));
        };
    }

    private static string? Field(JsonObject item, string path)
    {
        JsonNode? node = item;
        foreach (var step in path.Split('.'))
        {
            node = node?[step];
        }

        return node is JsonValue value ? value.ToString() : null;
    }

    private static IEnumerable<Term> Terms(string? selector)
    {
        foreach (var raw in (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var op = raw.Contains("!=", StringComparison.Ordinal) ? "!=" : raw.Contains("==", StringComparison.Ordinal) ? "==" : raw.Contains('=', StringComparison.Ordinal) ? "=" : null;
            if (op is not null)
            {
                var at = raw.IndexOf(op, StringComparison.Ordinal);
                yield return new Term(raw[..at].Trim(), raw[(at + op.Length)..].Trim(), Equal: op != "!=");
            }
            else if (raw.StartsWith('!'))
            {
                yield return new Term(raw[1..], null, Equal: true);
            }
            else
            {
                yield return new Term(raw, null, Equal: false);
            }
        }
    }

    /// <summary>One requirement; without a value, Equal asks for the key's absence (!k) and not Equal for its presence (k).</summary>
    private sealed record Term(string Key, string? Value, bool Equal)
    {
        public bool Matches(string? actual) => Value is null
            ? (Equal ? actual is null : actual is not null)
            : Equal == (actual == Value);
    }
}
