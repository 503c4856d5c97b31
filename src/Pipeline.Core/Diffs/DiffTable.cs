using System.Text;

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
}

/// <summary>Writes rows of cells as an aligned text table, a Markdown table or CSV.</summary>
public static class DiffTable
{
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
            _ => Text(all),
        };
    }

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
