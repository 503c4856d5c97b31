using System.Text.Json;
using Pipeline.Core.Execution;
using Pipeline.Reports;

namespace Pipeline.GitHub;

/// <summary>
/// Where a GitHub Actions run publishes the experiment report: a pull-request comment when its token may write one,
/// else, for a pull request from a fork or a run without a token, the job summary, with a notice on the run saying why
/// (the same workflow step serves both, so a fork's pull request degrades instead of failing).
/// </summary>
public static class WorkflowReportPublisher
{
    /// <summary>Chooses the publisher from the runner's environment (<see cref="GitHubTarget.FromEnvironment"/>'s variables, <c>GITHUB_EVENT_PATH</c>, <c>GITHUB_STEP_SUMMARY</c>).</summary>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="pullRequest">The pull request's number when given on the command line.</param>
    /// <param name="log">Where the notice goes: a <c>::notice</c> line becomes an annotation of the run.</param>
    /// <exception cref="Core.PipelineException">Neither is possible; the message names the missing variable.</exception>
    public static IReportPublisher Choose(Func<string, string?> environment, string? pullRequest, IPipelineLog log)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(log);
        var fork = ForkOf(environment);
        var summary = environment("GITHUB_STEP_SUMMARY");
        if ((fork is null && environment("GITHUB_TOKEN") is { Length: > 0 }) || string.IsNullOrEmpty(summary))
        {
            return ReportPublisher.Create(GitHubTarget.FromEnvironment(environment, pullRequest));
        }

        var reason = fork is null ? "GITHUB_TOKEN is not set" : $"this pull request comes from the fork {fork}, whose token may not comment";
        log.Information($"::notice title=Experiment report::{reason}; the report is in the job summary");
        return new JobSummaryPublisher(summary, RunUrl(environment));
    }

    // The event that started the run, as the runner saved it: a pull request names the repository its branch lives in.
    private static string? ForkOf(Func<string, string?> environment)
    {
        var path = environment("GITHUB_EVENT_PATH");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var head = document.RootElement.TryGetProperty("pull_request", out var pull)
                && pull.TryGetProperty("head", out var branch) && branch.TryGetProperty("repo", out var repo)
                && repo.ValueKind == JsonValueKind.Object && repo.TryGetProperty("full_name", out var name) ? name.GetString() : null;
            return head is not null && !string.Equals(head, environment("GITHUB_REPOSITORY"), StringComparison.OrdinalIgnoreCase) ? head : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string RunUrl(Func<string, string?> environment) =>
        $"{(environment("GITHUB_SERVER_URL") is { Length: > 0 } server ? server : "https://github.com").TrimEnd('/')}/{environment("GITHUB_REPOSITORY")}/actions/runs/{environment("GITHUB_RUN_ID")}";
}
