using Pipeline.Core;
using Pipeline.Monitoring;
using Pipeline.Testing.GitHub;

namespace Pipeline.GitHub.Tests;

/// <summary>The scheduled monitoring job's alert: one open issue labelled drift-alert, updated while it stays open, never a second.</summary>
public sealed class DriftAlertPublisherTests : IAsyncLifetime
{
    private GitHubEmulator github = null!;

    public async Task InitializeAsync() => github = await GitHubEmulator.StartAsync();

    public async Task DisposeAsync() => await github.DisposeAsync();

    [Fact]
    public async Task The_first_drift_opens_a_labelled_issue_and_later_ones_update_it_with_a_comment()
    {
        github.AddIssue(new EmulatedIssue(3, "Flaky test", "a human's issue", ["bug"]));
        github.AddIssue(new EmulatedIssue(7, "Relabel moons", "a pull request", [DriftAlertPublisher.Label], IsPullRequest: true));
        var publisher = DriftAlertPublisher.Create(Repository());

        var first = await publisher.RaiseAsync(Drift(0.84), "https://ci.example/runs/1", CancellationToken.None);
        var second = await publisher.RaiseAsync(Drift(0.91), "https://ci.example/runs/2", CancellationToken.None);

        var alert = Assert.Single(github.Issues.Values, i => i.Labels.Contains(DriftAlertPublisher.Label) && !i.IsPullRequest);
        Assert.Equal(3, github.Issues.Count);
        Assert.Equal(first, second);
        Assert.Equal($"https://github.example/octo/planets/issues/{alert.Number}", first);
        Assert.Equal(DriftAlertPublisher.Title, alert.Title);
        Assert.StartsWith("**drift: 1 of 2 columns drifted (share 0.5 >= 0.5): image_mean 0.91; embedding ROC AUC 0.93 (>= 0.7); 300 records against 1285 reference rows**", alert.Body, StringComparison.Ordinal);
        Assert.Contains("| image_mean | wasserstein | 0.91 | 0.3 | **drifted** |", alert.Body, StringComparison.Ordinal);
        Assert.Contains("| predicted_label | jensenshannon | 0.05 | 0.1 | no drift |", alert.Body, StringComparison.Ordinal);
        Assert.Contains("[report.html](https://ci.example/runs/2)", alert.Body, StringComparison.Ordinal);
        var comment = Assert.Single(github.CommentIssues, c => c.Value == alert.Number);
        Assert.StartsWith("Still drifting: drift: 1 of 2 columns drifted", github.Comments[comment.Key], StringComparison.Ordinal);
        Assert.Equal("a human's issue", github.Issues[3].Body);
    }

    [Fact]
    public async Task Once_the_team_closed_the_alert_the_next_drift_opens_a_new_one()
    {
        github.AddIssue(new EmulatedIssue(100, DriftAlertPublisher.Title, "handled", [DriftAlertPublisher.Label], State: "closed"));

        var url = await DriftAlertPublisher.Create(Repository()).RaiseAsync(Drift(0.5), null, CancellationToken.None);

        Assert.Equal("https://github.example/octo/planets/issues/101", url);
        Assert.Equal("closed", github.Issues[100].State);
        Assert.Equal("handled", github.Issues[100].Body);
        Assert.DoesNotContain("report.html", github.Issues[101].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_token_is_one_clear_line_without_the_token()
    {
        var publisher = DriftAlertPublisher.Create(Repository() with { Token = "wrong-token-456" });

        var error = await Assert.ThrowsAsync<PipelineException>(() => publisher.RaiseAsync(Drift(0.5), null, CancellationToken.None));

        Assert.Equal($"GitHub octo/planets via {github.Url}: the token was refused (401); check GITHUB_TOKEN", error.Message);
        Assert.DoesNotContain("wrong-token-456", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(github.Issues);
    }

    [Fact]
    public void The_repository_comes_from_the_runners_environment_and_a_missing_variable_is_named()
    {
        var environment = new Dictionary<string, string?> { ["GITHUB_TOKEN"] = "t", ["GITHUB_REPOSITORY"] = "octo/planets" };

        var repository = GitHubRepository.FromEnvironment(name => environment.GetValueOrDefault(name), "raising a drift alert", "a token that may write issues");
        var error = Assert.Throws<PipelineException>(() => GitHubRepository.FromEnvironment(_ => null, "raising a drift alert", "a token that may write issues"));

        Assert.Equal(new GitHubRepository(new Uri("https://api.github.com"), new Uri("https://github.com"), "octo", "planets", "t"), repository);
        Assert.Equal("GITHUB_TOKEN is not set; raising a drift alert needs a token that may write issues", error.Message);
    }

    private GitHubRepository Repository() => new(github.Url, new Uri("https://github.example/"), github.Owner, github.Repository, github.Token);

    private static DriftResult Drift(double imageMean) => new(
        1285, 300,
        [new ColumnDrift("image_mean", "wasserstein", imageMean, 0.3), new ColumnDrift("predicted_label", "jensenshannon", 0.05, 0.1)],
        new ColumnDrift("embedding", "classifier", 0.93, 0.7), [], new DriftSettings());
}
