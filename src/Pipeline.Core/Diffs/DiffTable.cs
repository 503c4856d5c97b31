using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.Core.Diffs;

/// <summary>How a table is written.</summary>
public enum TableFormat
{
    /// <summary>Columns aligned with spaces, for a terminal.</summary>
    Text,

    /// <summary>A GitHub-flavoured Markdown table, for reports.</summary>
    Markdown,

    /// <summary>Comma-separated values (RFC 4180 quoting, one line per row), for spreadsheets and scripts.</summary>
    Csv,

    /// <summary>A JSON array of one object per row, keyed by the header; numbers as numbers, <c>-</c> as null.</summary>
    Json,
}

/// <summary>Writes rows of cells as an aligned text table, a Markdown table, CSV or JSON.</summary>
public static partial class DiffTable
{
    /// <summary>The <c>--format</c> names of the formats: <c>text</c>, <c>md</c>, <c>csv</c>, <c>json</c>.</summary>
    public static IReadOnlyList<string> FormatNames { get; } = ["text", "md", "csv", "json"];

    /// <summary>The format called <paramref name="name"/> on a command line.</summary>
    /// <exception cref="PipelineException">No format has that name.</exception>
    public static TableFormat FormatNamed(string name) => name switch
    {
        "text" => TableFormat.Text,
        "md" => TableFormat.Markdown,
        "csv" => TableFormat.Csv,
        "json" => TableFormat.Json,
        _ => throw new PipelineException($"--format: '{name}' is not one of {string.Join(", ", FormatNames)}"),
    };

    /// <summary>The diff rows as a table with the columns path, key, old, new and change.</summary>
    public static string Format(IEnumerable<DiffRow> rows, TableFormat format) =>
        Format(["Path", "Key", "Old", "New", "Change"], rows.Select(r => new[] { r.Path, r.Key, r.Old ?? "-", r.New ?? "-", r.Change }), format);

    /// <summary>A table of <paramref name="header"/> and <paramref name="rows"/>.</summary>
    public static string Format(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, TableFormat format)
    {
        ArgumentNullException.ThrowIfNull(header);
        var all = rows.Prepend(header).ToList();
        return format switch
        {
            TableFormat.Markdown => Markdown(all),
            TableFormat.Csv => Csv(all),
            TableFormat.Json => Json(all),
            _ => Text(all),
        };
    }

    private static string Json(List<IReadOnlyList<string>> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in rows.Skip(1))
            {
                json.WriteStartObject();
                for (var i = 0; i < row.Count; i++)
                {
                    json.WritePropertyName(rows[0][i]);
                    if (row[i] == "-")
                    {
                        json.WriteNullValue();
                    }
                    else if (JsonNumber().IsMatch(row[i]))
                    {
                        json.WriteRawValue(row[i]);
                    }
                    else
                    {
                        json.WriteStringValue(row[i]);
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();

    private static string Csv(List<IReadOnlyList<string>> rows) =>
        string.Concat(rows.Select(row => string.Join(',', row.Select(CsvCell)) + "\n"));

    // Quoted when it holds a separator, a quote or a line break; quotes doubled.
    private static string CsvCell(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;

    private static string Text(List<IReadOnlyList<string>> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Count).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    private static string Markdown(List<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        text.Append(MarkdownRow(rows[0])).Append(MarkdownRow(rows[0].Select(_ => "---").ToList()));
        foreach (var row in rows.Skip(1))
        {
            text.Append(MarkdownRow(row));
        }

        return text.ToString();
    }

    private static string MarkdownRow(IReadOnlyList<string> cells) =>
        "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |\n";
}
