using System.Collections.Immutable;
using Pipeline.Core;
using Pipeline.Core.Diffs;
using Pipeline.Reports;
using Pipeline.Testing.GitHub;

namespace Pipeline.GitHub.Tests;

public sealed class ReportPublisherTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "pipeline-github-tests", Guid.NewGuid().ToString("N"));
    private GitHubEmulator github = null!;

    public async Task InitializeAsync()
    {
        github = await GitHubEmulator.StartAsync();
        Directory.CreateDirectory(Path.Combine(folder, "base"));
        Directory.CreateDirectory(Path.Combine(folder, "workspace"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "base", "loss.png"), [1, 2, 3]);
        await File.WriteAllBytesAsync(Path.Combine(folder, "workspace", "loss.png"), [4, 5, 6]);
    }

    [Fact]
    public async Task Publishing_twice_updates_one_comment_whose_images_are_committed_to_the_assets_branch()
    {
        github.AddComment("LGTM, a human comment");
        var publisher = ReportPublisher.Create(Target());

        await publisher.PublishAsync(Report("abc1234", "0.6854"), folder, CancellationToken.None);
        var firstHead = github.References[$"refs/heads/{GitHubTarget.AssetsBranch}"];
        var url = await publisher.PublishAsync(Report("abc1234", "0.7000"), folder, CancellationToken.None);

        Assert.Equal(2, github.Comments.Count);
        var report = Assert.Single(github.Comments.Values, c => c.StartsWith(MarkdownReport.Marker, StringComparison.Ordinal));
        Assert.Contains("| metrics.json | val_acc | 0.4891 | 0.7000 | +0.2109 |", report, StringComparison.Ordinal);
        Assert.Contains("#issuecomment-", url, StringComparison.Ordinal);
        var head = github.References[$"refs/heads/{GitHubTarget.AssetsBranch}"];
        Assert.Equal([firstHead], github.Commits[head].Parents);
        var tree = github.Trees[github.Commits[head].Tree];
        var workspaceImage = tree.Single(e => e!["path"]!.GetValue<string>() == "reports/abc1234/workspace/loss.png")!;
        Assert.Equal([4, 5, 6], github.Blobs[workspaceImage["sha"]!.GetValue<string>()]);
        Assert.Contains($"![loss.png](https://github.example/octo/planets/blob/{head}/reports/abc1234/workspace/loss.png?raw=true)", report, StringComparison.Ordinal);
        Assert.Contains($"![loss.png](https://github.example/octo/planets/blob/{head}/reports/abc1234/base/loss.png?raw=true)", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_token_is_one_clear_line_without_the_token()
    {
        var publisher = ReportPublisher.Create(Target() with { Token = "wrong-token-456" });

        var error = await Assert.ThrowsAsync<PipelineException>(() => publisher.PublishAsync(Report("abc1234", "0.7"), folder, CancellationToken.None));

        Assert.Equal($"GitHub octo/planets#7 via {github.Url}: the token was refused (401); check GITHUB_TOKEN", error.Message);
        Assert.DoesNotContain("wrong-token-456", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_repository_is_reported_as_not_found()
    {
        var publisher = ReportPublisher.Create(Target() with { Repository = "nope" });

        var error = await Assert.ThrowsAsync<PipelineException>(() => publisher.PublishAsync(Report("abc1234", "0.7"), folder, CancellationToken.None));

        Assert.EndsWith("repository or pull request not found (404), or the token cannot see it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_api_is_reported_as_such()
    {
        var target = Target();
        await github.DisposeAsync();

        var error = await Assert.ThrowsAsync<PipelineException>(() => ReportPublisher.Create(target).PublishAsync(Report("abc1234", "0.7"), folder, CancellationToken.None));

        Assert.Contains("cannot reach the API", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("refs/pull/42/merge", null, 42)]
    [InlineData("refs/heads/main", "17", 17)]
    public void The_target_comes_from_the_actions_environment(string gitRef, string? pr, int expected)
    {
        var environment = new Dictionary<string, string?> { ["GITHUB_TOKEN"] = "t", ["GITHUB_REPOSITORY"] = "octo/planets", ["GITHUB_REF"] = gitRef };

        var target = GitHubTarget.FromEnvironment(name => environment.GetValueOrDefault(name), pr);

        Assert.Equal(new GitHubTarget(new Uri("https://api.github.com"), new Uri("https://github.com"), "octo", "planets", expected, "t"), target);
        Assert.DoesNotContain("t via", target.ToString().Replace("octo/planets", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "octo/planets", "refs/pull/1/merge", "GITHUB_TOKEN is not set; publishing the report needs a token that may write pull-request comments and contents")]
    [InlineData("t", "planets", "refs/pull/1/merge", "GITHUB_REPOSITORY: expected owner/name, got 'planets'")]
    [InlineData("t", "octo/planets", "refs/heads/main", "no pull request to comment on: pass --pr=NUMBER, or run on a pull_request event (GITHUB_REF is 'refs/heads/main')")]
    public void A_missing_or_malformed_variable_is_named(string? token, string repository, string gitRef, string expected)
    {
        var environment = new Dictionary<string, string?> { ["GITHUB_TOKEN"] = token, ["GITHUB_REPOSITORY"] = repository, ["GITHUB_REF"] = gitRef };

        var error = Assert.Throws<PipelineException>(() => GitHubTarget.FromEnvironment(name => environment.GetValueOrDefault(name), null));

        Assert.Equal(expected, error.Message);
    }

    public async Task DisposeAsync()
    {
        await github.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private GitHubTarget Target() =>
        new(github.Url, new Uri("https://github.example/"), github.Owner, github.Repository, 7, github.Token);

    private static ExperimentReport Report(string commit, string accuracy) => new(
        commit,
        "main",
        [new DiffRow("params.yaml", "train.epochs", "5", "10")],
        [new DiffRow("metrics.json", "val_acc", "0.4891", accuracy)],
        ImmutableArray.Create(new PlotPair("loss.png", "base/loss.png", "workspace/loss.png")));
}
