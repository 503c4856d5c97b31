using Octokit;
using Pipeline.Core;
using Pipeline.Reports;

namespace Pipeline.GitHub;

/// <summary>
/// Publishes an experiment report as one pull-request comment: the images are committed to the
/// <see cref="GitHubTarget.AssetsBranch"/> branch through the Git Data API and linked by commit, so they render for
/// everyone who can read the repository, private ones included, and never expire; a later run updates the same
/// comment (found by <see cref="MarkdownReport.Marker"/>) instead of adding one.
/// </summary>
/// <param name="client">The GitHub API client.</param>
/// <param name="target">The repository and pull request.</param>
public sealed class ReportPublisher(IGitHubClient client, GitHubTarget target) : IReportPublisher
{
    /// <inheritdoc />
    public string Place => target.ToString();

    /// <summary>Creates a publisher with an Octokit client for <paramref name="target"/>.</summary>
    public static ReportPublisher Create(GitHubTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = new GitHubRepository(target.ApiUrl, target.ServerUrl, target.Owner, target.Repository, target.Token).Client();
        return new ReportPublisher(client, target);
    }

    /// <summary>Commits the report's images, then creates or updates the comment; returns the comment's address.</summary>
    /// <inheritdoc />
    /// <exception cref="PipelineException">GitHub refused a request; the message says which and why, without the token.</exception>
    public async Task<string> PublishAsync(ExperimentReport report, string reportFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        try
        {
            var images = report.Plots.SelectMany(p => new[] { p.Base, p.Workspace }).OfType<string>().ToList();
            var commit = images.Count == 0 ? null : await CommitImagesAsync(report.Commit, reportFolder, images, cancellationToken);
            var body = MarkdownReport.Render(report, image => ImageUrl(commit!, report.Commit, image));
            return await UpsertCommentAsync(body);
        }
        catch (ApiException e)
        {
            throw new PipelineException($"GitHub {target}: {GitHubRepository.Describe(e, "repository or pull request")}", e);
        }
        catch (HttpRequestException e)
        {
            throw new PipelineException($"GitHub {target}: cannot reach the API: {e.Message}", e);
        }
    }

    private async Task<string> CommitImagesAsync(string reportCommit, string reportFolder, IReadOnlyList<string> images, CancellationToken cancellationToken)
    {
        var tree = new NewTree();
        foreach (var image in images)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(reportFolder, image), cancellationToken);
            var blob = await client.Git.Blob.Create(target.Owner, target.Repository, new NewBlob { Content = Convert.ToBase64String(bytes), Encoding = EncodingType.Base64 });
            tree.Tree.Add(new NewTreeItem { Path = AssetPath(reportCommit, image), Mode = "100644", Type = TreeType.Blob, Sha = blob.Sha });
        }

        var createdTree = await client.Git.Tree.Create(target.Owner, target.Repository, tree);
        var head = await BranchHeadAsync();
        var parents = head is null ? Array.Empty<string>() : [head];
        var commit = await client.Git.Commit.Create(target.Owner, target.Repository, new NewCommit($"Report images for {reportCommit}", createdTree.Sha, parents));
        await MoveBranchAsync(head, commit.Sha);
        return commit.Sha;
    }

    private async Task<string?> BranchHeadAsync()
    {
        try
        {
            var reference = await client.Git.Reference.Get(target.Owner, target.Repository, $"heads/{GitHubTarget.AssetsBranch}");
            return reference.Object.Sha;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private Task<Reference> MoveBranchAsync(string? head, string commit) =>
        head is null
            ? client.Git.Reference.Create(target.Owner, target.Repository, new NewReference($"refs/heads/{GitHubTarget.AssetsBranch}", commit))
            : client.Git.Reference.Update(target.Owner, target.Repository, $"heads/{GitHubTarget.AssetsBranch}", new ReferenceUpdate(commit));

    private async Task<string> UpsertCommentAsync(string body)
    {
        var comments = await client.Issue.Comment.GetAllForIssue(target.Owner, target.Repository, target.PullRequest);
        var existing = comments.FirstOrDefault(c => c.Body?.StartsWith(MarkdownReport.Marker, StringComparison.Ordinal) == true);
        var comment = existing is null
            ? await client.Issue.Comment.Create(target.Owner, target.Repository, target.PullRequest, body)
            : await client.Issue.Comment.Update(target.Owner, target.Repository, existing.Id, body);
        return comment.HtmlUrl;
    }

    private string ImageUrl(string assetsCommit, string reportCommit, string image) =>
        new Uri(target.ServerUrl, $"{target.Owner}/{target.Repository}/blob/{assetsCommit}/{AssetPath(reportCommit, image)}?raw=true").ToString();

    private static string AssetPath(string reportCommit, string image) => $"reports/{reportCommit}/{image}";
}
