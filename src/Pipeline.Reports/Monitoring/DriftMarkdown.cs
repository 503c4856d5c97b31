using System.Globalization;
using System.Text;
using Pipeline.Monitoring;

namespace Pipeline.Reports.Monitoring;

/// <summary>A drift verdict as Markdown, for an alert's text: the verdict line, each column's test and a link to the report.</summary>
public static class DriftMarkdown
{
    /// <summary>The alert's text for <paramref name="result"/>.</summary>
    /// <param name="result">The drift found.</param>
    /// <param name="reportUrl">Where the full report is read; null to leave the link out.</param>
    public static string Render(DriftResult result, string? reportUrl)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.Append("**").Append(Escape(result.Summary())).Append("**\n\n");
        text.Append("| Column | Test | Score | Threshold | Verdict |\n|---|---|---:|---:|---|\n");
        foreach (var column in result.Embedding is null ? result.Columns : result.Columns.Add(result.Embedding))
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"| {Escape(column.Column)} | {column.Test} | {column.Score:0.####} | {column.Threshold:0.##} | {(column.Drifted ? "**drifted**" : "no drift")} |\n"));
        }

        if (reportUrl is not null)
        {
            text.Append($"\nThe report with each column's distributions: [report.html]({reportUrl})\n");
        }

        text.Append("\nThe model may need new labels and retraining on data like what it now sees; close this issue once it is handled (the next drift then opens a new one).\n");
        return text.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
