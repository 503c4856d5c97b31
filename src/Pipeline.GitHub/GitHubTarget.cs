using System.Globalization;
using System.Text.RegularExpressions;
using Pipeline.Core;

namespace Pipeline.GitHub;

/// <summary>
/// Where a report is published: a pull request of a repository, reached through an API endpoint with a token.
/// On GitHub Actions every field comes from the environment the runner sets.
/// </summary>
/// <param name="ApiUrl">The REST API (https://api.github.com, a GitHub Enterprise server, or an emulator).</param>
/// <param name="ServerUrl">The web address image links point at (https://github.com).</param>
/// <param name="Owner">The repository's owner.</param>
/// <param name="Repository">The repository's name.</param>
/// <param name="PullRequest">The pull request's number.</param>
/// <param name="Token">The token; never printed.</param>
public sealed partial record GitHubTarget(Uri ApiUrl, Uri ServerUrl, string Owner, string Repository, int PullRequest, string Token)
{
    /// <summary>The branch that keeps report images, so comment links stay valid after the run's artifacts expire.</summary>
    public const string AssetsBranch = "pipeline-reports";

    /// <summary>Reads the target from the environment, with <paramref name="pullRequest"/> overriding GITHUB_REF.</summary>
    /// <exception cref="PipelineException">A variable is missing or malformed; the message names it.</exception>
    public static GitHubTarget FromEnvironment(Func<string, string?> environment, string? pullRequest)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var repository = GitHubRepository.FromEnvironment(environment, "publishing the report", "a token that may write pull-request comments and contents");
        return new GitHubTarget(
            repository.ApiUrl, repository.ServerUrl, repository.Owner, repository.Name, PullRequestNumber(pullRequest ?? environment("GITHUB_REF")), repository.Token);
    }

    /// <summary>Hides the token when the target is printed or logged.</summary>
    public override string ToString() => $"{Owner}/{Repository}#{PullRequest} via {ApiUrl}";

    private static int PullRequestNumber(string? text)
    {
        var match = text is null ? null : PullRef().Match(text);
        return match is { Success: true }
            ? int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture)
            : throw new PipelineException(
                $"no pull request to comment on: pass --pr=NUMBER, or run on a pull_request event (GITHUB_REF is '{text}')");
    }

    [GeneratedRegex(@"^(refs/pull/)?(?<number>[1-9][0-9]*)(/merge|/head)?$")]
    private static partial Regex PullRef();
}
