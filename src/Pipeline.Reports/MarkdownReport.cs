using System.Text;
using Pipeline.Core.Diffs;

namespace Pipeline.Reports;

/// <summary>Writes an <see cref="ExperimentReport"/> as the reference system's pull-request comment.</summary>
public static class MarkdownReport
{
    /// <summary>The hidden line that marks a comment as this report, so a later run updates it instead of adding one.</summary>
    public const string Marker = "<!-- pipeline-experiment-report -->";

    /// <summary>The report as Markdown.</summary>
    /// <param name="report">What to write.</param>
    /// <param name="imageUrl">
    /// Turns a report-relative image path into the link a reader's browser can load; null where no link can reach the
    /// images (a CI job's summary), which names each image instead.
    /// </param>
    public static string Render(ExperimentReport report, Func<string, string>? imageUrl)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(Marker).Append('\n');
        text.Append($"# Experiment Report ({report.Commit})\n\n");
        text.Append($"## Params workflow vs. {report.BaseRevision}\n\n");
        text.Append(Table(report.Parameters, "No parameter changed."));
        text.Append($"## Metrics workflow vs. {report.BaseRevision}\n\n");
        text.Append(Table(report.Metrics, "No metrics recorded."));
        text.Append("## Plots\n\n");
        if (report.PlotsPage is { } page)
        {
            var where = page.Url is null ? $"`{page.File}` (not published with this report)" : $"[{Path.GetFileName(page.File)}]({page.Url})";
            text.Append($"Interactive charts of the plot data, {report.BaseRevision} and workspace on each: {where}\n\n");
        }

        foreach (var plot in report.Plots)
        {
            text.Append($"### {plot.Name}\n\n");
            text.Append(DiffTable.Format([report.BaseRevision, "workspace"], [[Image(plot.Base, imageUrl), Image(plot.Workspace, imageUrl)]], TableFormat.Markdown));
            text.Append('\n');
        }

        if (report.Plots.IsEmpty)
        {
            text.Append("No plots recorded.\n");
        }

        if (report.Experiments.Rows.Count > 0)
        {
            text.Append($"\n## Experiments on this branch ({report.Experiments.Rows.Count})\n\n");
            text.Append(DiffTable.Format(report.Experiments.Header, report.Experiments.Rows, TableFormat.Markdown));
        }

        return text.ToString();
    }

    private static string Table(IReadOnlyCollection<DiffRow> rows, string empty) =>
        rows.Count == 0 ? empty + "\n\n" : DiffTable.Format(rows, TableFormat.Markdown) + "\n";

    private static string Image(string? path, Func<string, string>? imageUrl) => (path, imageUrl) switch
    {
        (null, _) => "(none)",
        (_, null) => $"`{path}`",
        _ => $"![{Path.GetFileName(path)}]({imageUrl(path)})",
    };
}
