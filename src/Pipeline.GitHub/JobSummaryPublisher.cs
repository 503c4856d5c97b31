using Pipeline.Reports;

namespace Pipeline.GitHub;

/// <summary>
/// Writes the report into a GitHub Actions job's summary, the Markdown file <c>GITHUB_STEP_SUMMARY</c> names, which
/// the run's page shows: where the run's token may not comment (a pull request from a fork gets a read-only one). The
/// summary cannot show the run's files, so each plot is named, not shown.
/// </summary>
/// <param name="summaryFile">The summary file; the report is appended to it, as the runner expects of every step.</param>
/// <param name="runUrl">The run's page, where the summary is read.</param>
public sealed class JobSummaryPublisher(string summaryFile, string runUrl) : IReportPublisher
{
    /// <inheritdoc />
    public string Place => "the job summary";

    /// <inheritdoc />
    public async Task<string> PublishAsync(ExperimentReport report, string reportFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await File.AppendAllTextAsync(summaryFile, MarkdownReport.Render(report, imageUrl: null) + "\n", cancellationToken).ConfigureAwait(false);
        return runUrl;
    }
}
