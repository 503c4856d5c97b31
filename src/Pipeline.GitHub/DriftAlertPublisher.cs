using Octokit;
using Pipeline.Core;
using Pipeline.Monitoring;
using Pipeline.Reports.Monitoring;

namespace Pipeline.GitHub;

/// <summary>
/// Raises drift alerts as one issue of the repository labelled <see cref="Label"/>: while it is open, a later drift
/// updates its text and adds a comment (so its subscribers hear of it) instead of opening another; once the team has
/// closed it, the next drift opens a new one.
/// </summary>
/// <param name="client">The GitHub API client.</param>
/// <param name="repository">The repository.</param>
public sealed class DriftAlertPublisher(IGitHubClient client, GitHubRepository repository) : IAlertPublisher
{
    /// <summary>The label that marks the alert issue.</summary>
    public const string Label = "drift-alert";

    /// <summary>The alert issue's title.</summary>
    public const string Title = "Drift in the predictions";

    /// <inheritdoc />
    public string Place => repository.ToString();

    /// <summary>A publisher with an Octokit client for <paramref name="repository"/>.</summary>
    public static DriftAlertPublisher Create(GitHubRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return new DriftAlertPublisher(repository.Client(), repository);
    }

    /// <inheritdoc />
    /// <exception cref="PipelineException">GitHub refused a request; the message says which and why, without the token.</exception>
    public async Task<string> RaiseAsync(DriftResult result, string? reportUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var body = DriftMarkdown.Render(result, reportUrl);
        try
        {
            var open = await OpenAlertAsync();
            if (open is null)
            {
                var issue = new NewIssue(Title) { Body = body };
                issue.Labels.Add(Label);
                return (await client.Issue.Create(repository.Owner, repository.Name, issue)).HtmlUrl;
            }

            await client.Issue.Update(repository.Owner, repository.Name, open.Number, new IssueUpdate { Body = body });
            await client.Issue.Comment.Create(repository.Owner, repository.Name, open.Number, $"Still drifting: {result.Summary()}");
            return open.HtmlUrl;
        }
        catch (ApiException e)
        {
            throw new PipelineException($"GitHub {repository}: {GitHubRepository.Describe(e, "repository")}", e);
        }
        catch (HttpRequestException e)
        {
            throw new PipelineException($"GitHub {repository}: cannot reach the API: {e.Message}", e);
        }
    }

    // The issues API lists pull requests too: an alert is an issue.
    private async Task<Issue?> OpenAlertAsync()
    {
        var request = new RepositoryIssueRequest { State = ItemStateFilter.Open };
        request.Labels.Add(Label);
        var issues = await client.Issue.GetAllForRepository(repository.Owner, repository.Name, request);
        return issues.Where(i => i.PullRequest is null).OrderBy(i => i.Number).FirstOrDefault();
    }
}
