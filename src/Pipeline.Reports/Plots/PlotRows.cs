using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core;

namespace Pipeline.Reports.Plots;

/// <summary>Reads a plot's data file into rows of named values, as Vega-Lite takes them.</summary>
internal static class PlotRows
{
    /// <summary>The rows of <paramref name="text"/>, the content of <paramref name="path"/>, shown as <paramref name="displayName"/>.</summary>
    /// <exception cref="PipelineException">The text is not rows of the format its extension names.</exception>
    public static IReadOnlyList<JsonObject> Parse(string text, string path, string displayName) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => ParseJson(text, displayName),
            ".tsv" => ParseDelimited(text, '\t', displayName),
            _ => ParseDelimited(text, ',', displayName),
        };

    /// <summary>Fails unless some row has each of <paramref name="fields"/>.</summary>
    /// <exception cref="PipelineException">A field is in no row; the message lists the fields the rows have.</exception>
    public static void RequireFields(IReadOnlyList<JsonObject> rows, IEnumerable<string> fields, string displayName, string plot)
    {
        var present = rows.SelectMany(r => r.Select(p => p.Key)).ToHashSet(StringComparer.Ordinal);
        var missing = fields.FirstOrDefault(f => !present.Contains(f));
        if (missing is not null)
        {
            throw new PipelineException(
                $"{displayName}: no field '{missing}' for plot '{plot}'; its rows have {(present.Count == 0 ? "no fields" : string.Join(", ", present.Order(StringComparer.Ordinal)))}");
        }
    }

    // DVC's JSON plot files: an array of objects, or an object whose first array property holds them.
    private static List<JsonObject> ParseJson(string text, string displayName)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new PipelineException($"{displayName}: not valid JSON ({e.Message})", e);
        }

        var array = root as JsonArray ?? (root as JsonObject)?.Select(p => p.Value).OfType<JsonArray>().FirstOrDefault();
        if (array is null || array.Any(item => item is not JsonObject))
        {
            throw new PipelineException($"{displayName}: a plot's JSON is an array of objects, or an object holding one such array");
        }

        return [.. array.Select(item => (JsonObject)item!.DeepClone())];
    }

    private static List<JsonObject> ParseDelimited(string text, char delimiter, string displayName)
    {
        var lines = Records(text, delimiter, displayName).ToList();
        if (lines.Count == 0)
        {
            throw new PipelineException($"{displayName}: empty; a plot's {(delimiter == ',' ? "CSV" : "TSV")} file starts with a header row");
        }

        var header = lines[0];
        var rows = new List<JsonObject>(lines.Count - 1);
        foreach (var (values, index) in lines.Skip(1).Select((values, index) => (values, index)))
        {
            if (values.Count != header.Count)
            {
                throw new PipelineException($"{displayName}: record {index + 2} has {values.Count} values, the header {header.Count}");
            }

            rows.Add(new JsonObject(header.Zip(values, (name, value) => KeyValuePair.Create<string, JsonNode?>(name, Value(value)))));
        }

        return rows;
    }

    private static JsonValue Value(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? JsonValue.Create(number)
            : JsonValue.Create(text);

    // RFC 4180: fields may be quoted, a quote inside doubled, and a quoted field may hold the delimiter or a line break.
    private static IEnumerable<List<string>> Records(string text, char delimiter, string displayName)
    {
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                record.Add(field.ToString());
                field.Clear();
                if (record.Count > 1 || record[0].Length > 0)
                {
                    yield return record;
                }

                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new PipelineException($"{displayName}: a quoted value is not closed");
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            yield return record;
        }
    }
}
