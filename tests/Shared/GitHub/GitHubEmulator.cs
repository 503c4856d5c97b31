using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.Testing.GitHub;

/// <summary>
/// A local stand-in for the GitHub REST endpoints the report publisher uses, on the paths and JSON shapes of the real
/// API (as GitHub Enterprise serves them, under /api/v3): issues (list by state and labels, create, update), issue
/// comments (list, create, update) and the Git Data API (blobs, trees, commits, references). It checks the token like
/// GitHub does and keeps what was written.
/// </summary>
internal sealed class GitHubEmulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private long nextId = 1000;

    private GitHubEmulator(WebApplication app, string owner, string repository, string token)
    {
        this.app = app;
        Owner = owner;
        Repository = repository;
        Token = token;
    }

    public string Owner { get; }

    public string Repository { get; }

    public string Token { get; }

    public Uri Url => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public ConcurrentDictionary<long, string> Comments { get; } = new();

    /// <summary>The issue or pull request each comment was made on (0 for comments added by the test).</summary>
    public ConcurrentDictionary<long, int> CommentIssues { get; } = new();

    public ConcurrentDictionary<int, EmulatedIssue> Issues { get; } = new();

    public ConcurrentDictionary<string, byte[]> Blobs { get; } = new();

    public ConcurrentDictionary<string, JsonArray> Trees { get; } = new();

    public ConcurrentDictionary<string, (string Tree, string[] Parents)> Commits { get; } = new();

    public ConcurrentDictionary<string, string> References { get; } = new();

    public static async Task<GitHubEmulator> StartAsync(string owner = "octo", string repository = "planets", string token = "secret-token-123")
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var emulator = new GitHubEmulator(app, owner, repository, token);
        emulator.Map(app.MapGroup($"/api/v3/repos/{owner}/{repository}"));
        app.Use(emulator.Authenticate);
        await app.StartAsync();
        return emulator;
    }

    public void AddComment(string body) => Comments[Interlocked.Increment(ref nextId)] = body;

    public void AddIssue(EmulatedIssue issue) => Issues[issue.Number] = issue;

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task Authenticate(HttpContext context, RequestDelegate next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.Equals($"token {Token}", StringComparison.OrdinalIgnoreCase) && !header.Equals($"bearer {Token}", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new { message = "Bad credentials", documentation_url = "https://docs.github.com/rest" });
            return;
        }

        await next(context);
    }

    private void Map(RouteGroupBuilder repo)
    {
        repo.MapGet("/issues/{number:int}/comments", (int number) => Results.Json(Comments.OrderBy(c => c.Key).Select(c => CommentJson(c.Key, c.Value, number))));
        repo.MapPost("/issues/{number:int}/comments", async (int number, HttpRequest request) =>
        {
            var id = Interlocked.Increment(ref nextId);
            Comments[id] = (await BodyAsync(request))["body"]!.GetValue<string>();
            CommentIssues[id] = number;
            return Results.Json(CommentJson(id, Comments[id], number), statusCode: 201);
        });
        repo.MapPatch("/issues/comments/{id:long}", async (long id, HttpRequest request) =>
        {
            if (!Comments.ContainsKey(id))
            {
                return NotFound();
            }

            Comments[id] = (await BodyAsync(request))["body"]!.GetValue<string>();
            return Results.Json(CommentJson(id, Comments[id], 0));
        });
        // GET /repos/{owner}/{repo}/issues lists pull requests too (they carry "pull_request"); labels must all match.
        repo.MapGet("/issues", (string? state, string? labels) =>
        {
            var wanted = (labels ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            return Results.Json(Issues.Values
                .Where(i => (state ?? "open") == "all" || i.State == (state ?? "open"))
                .Where(i => wanted.All(i.Labels.Contains))
                .OrderByDescending(i => i.Number)
                .Select(IssueJson));
        });
        repo.MapPost("/issues", async (HttpRequest request) =>
        {
            var body = await BodyAsync(request);
            var number = Issues.IsEmpty ? 100 : Issues.Keys.Max() + 1;
            Issues[number] = new EmulatedIssue(
                number, body["title"]!.GetValue<string>(), body["body"]?.GetValue<string>() ?? "", [.. body["labels"]?.AsArray().Select(l => l!.GetValue<string>()) ?? []]);
            return Results.Json(IssueJson(Issues[number]), statusCode: 201);
        });
        repo.MapPatch("/issues/{number:int}", async (int number, HttpRequest request) =>
        {
            if (!Issues.TryGetValue(number, out var issue))
            {
                return NotFound();
            }

            var body = await BodyAsync(request);
            Issues[number] = issue = issue with
            {
                Title = body["title"]?.GetValue<string>() ?? issue.Title,
                Body = body["body"]?.GetValue<string>() ?? issue.Body,
                State = body["state"]?.GetValue<string>() ?? issue.State,
            };
            return Results.Json(IssueJson(issue));
        });
        repo.MapPost("/git/blobs", async (HttpRequest request) =>
        {
            var body = await BodyAsync(request);
            var bytes = body["encoding"]!.GetValue<string>() == "base64"
                ? Convert.FromBase64String(body["content"]!.GetValue<string>())
                : Encoding.UTF8.GetBytes(body["content"]!.GetValue<string>());
            var sha = Sha(bytes);
            Blobs[sha] = bytes;
            return Results.Json(new { sha, url = $"{Url}blobs/{sha}" }, statusCode: 201);
        });
        repo.MapPost("/git/trees", async (HttpRequest request) =>
        {
            var entries = (JsonArray)(await BodyAsync(request))["tree"]!.DeepClone();
            if (entries.Any(e => !Blobs.ContainsKey(e!["sha"]!.GetValue<string>())))
            {
                return Results.Json(new { message = "tree.sha is not a blob" }, statusCode: 422);
            }

            var sha = Sha(Encoding.UTF8.GetBytes(entries.ToJsonString()));
            Trees[sha] = entries;
            return Results.Json(new { sha, url = $"{Url}trees/{sha}", truncated = false, tree = entries }, statusCode: 201);
        });
        repo.MapPost("/git/commits", async (HttpRequest request) =>
        {
            var body = await BodyAsync(request);
            var tree = body["tree"]!.GetValue<string>();
            var parents = body["parents"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
            if (!Trees.ContainsKey(tree) || parents.Any(p => !Commits.ContainsKey(p)))
            {
                return Results.Json(new { message = "tree or parent not found" }, statusCode: 422);
            }

            var sha = Sha(Encoding.UTF8.GetBytes(body.ToJsonString()));
            Commits[sha] = (tree, parents);
            var person = new { name = "bot", email = "bot@example.com", date = "2026-11-26T12:00:00Z" };
            return Results.Json(new
            {
                sha, node_id = sha, url = $"{Url}commits/{sha}", message = body["message"]!.GetValue<string>(),
                tree = new { sha = tree, url = "" }, parents = parents.Select(p => new { sha = p, url = "" }), author = person, committer = person,
            }, statusCode: 201);
        });
        repo.MapGet("/git/{kind:regex(^refs?$)}/heads/{branch}", (string branch) =>
            References.TryGetValue($"refs/heads/{branch}", out var sha) ? Results.Json(ReferenceJson($"refs/heads/{branch}", sha)) : NotFound());
        repo.MapPost("/git/refs", async (HttpRequest request) =>
        {
            var body = await BodyAsync(request);
            var name = body["ref"]!.GetValue<string>();
            var sha = body["sha"]!.GetValue<string>();
            if (References.ContainsKey(name) || !Commits.ContainsKey(sha))
            {
                return Results.Json(new { message = "Reference already exists or commit unknown" }, statusCode: 422);
            }

            References[name] = sha;
            return Results.Json(ReferenceJson(name, sha), statusCode: 201);
        });
        repo.MapPatch("/git/refs/heads/{branch}", async (string branch, HttpRequest request) =>
        {
            var name = $"refs/heads/{branch}";
            var sha = (await BodyAsync(request))["sha"]!.GetValue<string>();
            if (!References.TryGetValue(name, out var old) || !Commits.TryGetValue(sha, out var commit) || !commit.Parents.Contains(old))
            {
                return Results.Json(new { message = "Update is not a fast forward" }, statusCode: 422);
            }

            References[name] = sha;
            return Results.Json(ReferenceJson(name, sha));
        });
    }

    private object CommentJson(long id, string body, int number) => new
    {
        id,
        node_id = $"IC_{id}",
        url = $"{Url}api/v3/repos/{Owner}/{Repository}/issues/comments/{id}",
        html_url = $"https://github.example/{Owner}/{Repository}/pull/{number}#issuecomment-{id}",
        body,
        user = new { login = "github-actions[bot]", id = 41898282 },
        created_at = "2026-11-26T12:00:00Z",
        updated_at = "2026-11-26T12:00:00Z",
        author_association = "NONE",
    };

    private object IssueJson(EmulatedIssue issue) => new
    {
        id = 5000 + issue.Number,
        node_id = $"I_{issue.Number}",
        url = $"{Url}api/v3/repos/{Owner}/{Repository}/issues/{issue.Number}",
        html_url = $"https://github.example/{Owner}/{Repository}/{(issue.IsPullRequest ? "pull" : "issues")}/{issue.Number}",
        number = issue.Number,
        state = issue.State,
        title = issue.Title,
        body = issue.Body,
        user = new { login = "github-actions[bot]", id = 41898282 },
        labels = issue.Labels.Select((name, i) => new { id = 7000 + i, node_id = $"LA_{i}", url = "", name, color = "d73a4a", @default = false, description = (string?)null }),
        assignees = Array.Empty<object>(),
        comments = CommentIssues.Count(c => c.Value == issue.Number),
        pull_request = issue.IsPullRequest ? new { url = "", html_url = "", diff_url = "", patch_url = "" } : null,
        locked = false,
        created_at = "2026-11-26T12:00:00Z",
        updated_at = "2026-11-26T12:00:00Z",
        closed_at = issue.State == "closed" ? "2026-11-27T12:00:00Z" : null,
    };

    private object ReferenceJson(string name, string sha) => new
    {
        @ref = name,
        node_id = name,
        url = $"{Url}api/v3/repos/{Owner}/{Repository}/git/{name}",
        @object = new { type = "commit", sha, url = "" },
    };

    private static IResult NotFound() => Results.Json(new { message = "Not Found" }, statusCode: 404);

    private static async Task<JsonObject> BodyAsync(HttpRequest request) =>
        (await JsonSerializer.DeserializeAsync<JsonObject>(request.Body))!;

    // Object ids only need to be unique here; git's own choice of hash does not matter to the client.
    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..40];
}

/// <summary>An issue (or a pull request, which the issues API lists too) as the emulator keeps it.</summary>
internal sealed record EmulatedIssue(int Number, string Title, string Body, string[] Labels, string State = "open", bool IsPullRequest = false);
