using System.Collections.Immutable;
using Pipeline.Core;
using Pipeline.Core.Diffs;
using Pipeline.Reports;

namespace Pipeline.GitHub.Tests;

/// <summary>Where a workflow run's report goes: the comment for the repository's own pull requests, the job summary for a fork's.</summary>
public sealed class WorkflowReportPublisherTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_pull_request_from_a_fork_writes_the_report_into_the_job_summary_with_a_notice()
    {
        var log = new RecordingLog();
        var environment = Environment("someone/planets");

        var publisher = WorkflowReportPublisher.Choose(name => environment.GetValueOrDefault(name), null, log);
        var url = await publisher.PublishAsync(Report(), _folder.Path, CancellationToken.None);

        Assert.IsType<JobSummaryPublisher>(publisher);
        Assert.Equal("https://github.example/octo/planets/actions/runs/99", url);
        Assert.Equal(
            "::notice title=Experiment report::this pull request comes from the fork someone/planets, whose token may not comment; the report is in the job summary",
            Assert.Single(log.Lines));
        var summary = await File.ReadAllTextAsync(_folder["summary.md"]);
        Assert.StartsWith("earlier step's line\n" + MarkdownReport.Marker, summary, StringComparison.Ordinal);
        Assert.Contains("| metrics.json | val_acc | 0.4891 | 0.7 | +0.2109 |", summary, StringComparison.Ordinal);
        Assert.Contains("| `base/loss.png` | `workspace/loss.png` |", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("![", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_repositorys_own_pull_request_with_a_token_gets_the_comment()
    {
        var environment = Environment("octo/planets");

        var publisher = WorkflowReportPublisher.Choose(name => environment.GetValueOrDefault(name), null, new RecordingLog());

        Assert.Equal("octo/planets#7 via https://api.github.com/", publisher.Place);
    }

    [Fact]
    public void Without_a_token_the_summary_is_used_on_a_runner_and_the_missing_token_named_elsewhere()
    {
        var environment = Environment("octo/planets");
        environment["GITHUB_TOKEN"] = null;

        Assert.IsType<JobSummaryPublisher>(WorkflowReportPublisher.Choose(name => environment.GetValueOrDefault(name), null, new RecordingLog()));
        environment["GITHUB_STEP_SUMMARY"] = null;
        var error = Assert.Throws<PipelineException>(() => WorkflowReportPublisher.Choose(name => environment.GetValueOrDefault(name), null, new RecordingLog()));
        Assert.StartsWith("GITHUB_TOKEN is not set", error.Message, StringComparison.Ordinal);
    }

    // The variables a GitHub-hosted runner sets for a pull_request event whose branch lives in headRepository.
    private Dictionary<string, string?> Environment(string headRepository)
    {
        var eventFile = _folder.Write("event.json", System.Text.Json.JsonSerializer.Serialize(new { number = 7, pull_request = new { head = new { @ref = "feature", repo = new { full_name = headRepository } } } }));
        _folder.Write("summary.md", "earlier step's line\n");
        return new()
        {
            ["GITHUB_TOKEN"] = "read-only-for-forks",
            ["GITHUB_REPOSITORY"] = "octo/planets",
            ["GITHUB_REF"] = "refs/pull/7/merge",
            ["GITHUB_EVENT_PATH"] = eventFile,
            ["GITHUB_STEP_SUMMARY"] = _folder["summary.md"],
            ["GITHUB_SERVER_URL"] = "https://github.example",
            ["GITHUB_RUN_ID"] = "99",
        };
    }

    private static ExperimentReport Report() => new(
        "abc1234",
        "main",
        [new DiffRow("params.yaml", "train.epochs", "5", "10")],
        [new DiffRow("metrics.json", "val_acc", "0.4891", "0.7")],
        ImmutableArray.Create(new PlotPair("loss.png", "base/loss.png", "workspace/loss.png")));
}
