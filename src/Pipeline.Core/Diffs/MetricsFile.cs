using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Pipeline.Core.Diffs;

/// <summary>Reads a JSON metrics file as flat dotted keys (<c>val_acc</c>, <c>per_class.mars.f1</c>) and their values.</summary>
public static class MetricsFile
{
    /// <summary>Flattens the JSON <paramref name="text"/> of <paramref name="displayName"/>.</summary>
    /// <exception cref="PipelineException">The text is not JSON.</exception>
    public static ImmutableSortedDictionary<string, string> Parse(string text, string displayName)
    {
        var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(text);
            Flatten(document.RootElement, "", values);
        }
        catch (JsonException e)
        {
            throw new PipelineException($"{displayName}: not valid JSON ({e.Message}); a metrics file holds a JSON object of numbers", e);
        }

        return values.ToImmutable();
    }

    private static void Flatten(JsonElement element, string prefix, ImmutableSortedDictionary<string, string>.Builder into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}", into);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}.{index++.ToString(CultureInfo.InvariantCulture)}", into);
                }

                break;
            case JsonValueKind.String:
                into[prefix] = element.GetString()!;
                break;
            default:
                into[prefix] = element.GetRawText();
                break;
        }
    }
}
