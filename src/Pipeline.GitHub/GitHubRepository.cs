using Octokit;
using Pipeline.Core;

namespace Pipeline.GitHub;

/// <summary>
/// A repository reached through an API endpoint with a token; on GitHub Actions every field comes from the environment
/// the runner sets.
/// </summary>
/// <param name="ApiUrl">The REST API (https://api.github.com, a GitHub Enterprise server, or an emulator).</param>
/// <param name="ServerUrl">The web address links point at (https://github.com).</param>
/// <param name="Owner">The repository's owner.</param>
/// <param name="Name">The repository's name.</param>
/// <param name="Token">The token; never printed.</param>
public sealed record GitHubRepository(Uri ApiUrl, Uri ServerUrl, string Owner, string Name, string Token)
{
    /// <summary>Reads the repository from GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL and GITHUB_SERVER_URL.</summary>
    /// <param name="environment">Reads a variable.</param>
    /// <param name="purpose">What the repository is read for, for messages: <c>publishing the report</c>.</param>
    /// <param name="token">The token it needs, for the message when it is missing.</param>
    /// <exception cref="PipelineException">A variable is missing or malformed; the message names it.</exception>
    public static GitHubRepository FromEnvironment(Func<string, string?> environment, string purpose, string token)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var secret = Required(environment, "GITHUB_TOKEN", $"{purpose} needs {token}");
        var repository = Required(environment, "GITHUB_REPOSITORY", $"{purpose} needs owner/name");
        var parts = repository.Split('/');
        if (parts.Length != 2 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new PipelineException($"GITHUB_REPOSITORY: expected owner/name, got '{repository}'");
        }

        return new GitHubRepository(
            UrlOf(environment, "GITHUB_API_URL", "https://api.github.com"), UrlOf(environment, "GITHUB_SERVER_URL", "https://github.com"), parts[0], parts[1], secret);
    }

    /// <summary>Hides the token when the repository is printed or logged.</summary>
    public override string ToString() => $"{Owner}/{Name} via {ApiUrl}";

    /// <summary>An Octokit client for the repository's API with its token, named as GitHub asks every client to be.</summary>
    internal IGitHubClient Client()
    {
        var assembly = typeof(GitHubRepository).Assembly.GetName();
        return new GitHubClient(new ProductHeaderValue(assembly.Name, assembly.Version?.ToString()), ApiUrl) { Credentials = new Credentials(Token) };
    }

    /// <summary>What went wrong with a request, in one line without the token.</summary>
    internal static string Describe(ApiException e, string notFound) => e switch
    {
        AuthorizationException => "the token was refused (401); check GITHUB_TOKEN",
        ForbiddenException => $"the token may not do this (403): {e.Message}",
        NotFoundException => $"{notFound} not found (404), or the token cannot see it",
        _ => $"{(int)e.StatusCode} {e.Message}",
    };

    private static string Required(Func<string, string?> environment, string name, string expected) =>
        environment(name) is { Length: > 0 } value
            ? value
            : throw new PipelineException($"{name} is not set; {expected}");

    private static Uri UrlOf(Func<string, string?> environment, string name, string fallback)
    {
        var text = environment(name) is { Length: > 0 } value ? value : fallback;
        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new PipelineException($"{name}: expected an http(s) URL, got '{text}'");
    }
}
