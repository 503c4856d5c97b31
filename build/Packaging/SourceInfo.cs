using System.Collections.Immutable;
using Pipeline.Core.Git;

namespace Planets.Build.Packaging;

/// <summary>The source revision and where the source lives, for tags and OCI labels.</summary>
/// <param name="Revision">The HEAD commit, or null outside git.</param>
/// <param name="Url">The repository's address, when known.</param>
internal sealed record SourceInfo(string? Revision, string? Url)
{
    /// <summary>The commit shortened for a tag.</summary>
    public string? ShortRevision => Revision?[..12];

    /// <summary>Reads the HEAD commit and the repository's address (GitHub Actions' variables, else the origin remote).</summary>
    public static async Task<SourceInfo> ReadAsync(string root, CancellationToken cancellationToken)
    {
        var server = Environment.GetEnvironmentVariable("GITHUB_SERVER_URL");
        var repository = Environment.GetEnvironmentVariable("GITHUB_REPOSITORY");
        var url = !string.IsNullOrEmpty(server) && !string.IsNullOrEmpty(repository)
            ? $"{server}/{repository}"
            : await new GitRepository(root).RemoteUrlAsync("origin", cancellationToken);
        return new SourceInfo(await RevisionAsync(root, cancellationToken), WithoutCredentials(url));
    }

    /// <summary>The HEAD commit, or null outside git.</summary>
    public static Task<string?> RevisionAsync(string root, CancellationToken cancellationToken) => new GitRepository(root).HeadAsync(cancellationToken);

    /// <summary>The OCI labels every image of this repository carries.</summary>
    public ImmutableSortedDictionary<string, string> Labels(string title, string baseImage)
    {
        var labels = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        labels["org.opencontainers.image.title"] = title;
        labels["org.opencontainers.image.base.name"] = baseImage;
        if (Revision is not null)
        {
            labels["org.opencontainers.image.revision"] = Revision;
        }

        if (Url is not null)
        {
            labels["org.opencontainers.image.source"] = Url;
        }

        return labels.ToImmutable();
    }

    // A clone URL can carry a token (https://user:token@host/...): it must never reach an image label.
    private static string? WithoutCredentials(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.ToString()
            : url;
}
