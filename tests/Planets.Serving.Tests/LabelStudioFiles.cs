using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Planets.Serving.Tests;

/// <summary>
/// The part of a Label Studio server an ML backend calls: its uploaded files at <c>/data/upload/&lt;project&gt;/&lt;8
/// hex&gt;-&lt;name&gt;</c>, served only to <c>Authorization: Token &lt;token&gt;</c> (Label Studio's
/// <c>data_import</c> views). Every request is recorded, so a test can see what the backend sent.
/// </summary>
public sealed class LabelStudioFiles : IAsyncDisposable
{
    public const string Token = "0123456789abcdef0123456789abcdef01234567";

    private readonly WebApplication _app;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    private LabelStudioFiles(WebApplication app)
    {
        _app = app;
    }

    public Uri Host => new(_app.Urls.Single());

    public List<(string Path, string? Authorization)> Requests { get; } = [];

    public static async Task<LabelStudioFiles> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var files = new LabelStudioFiles(app);
        app.MapGet("/data/upload/{project}/{name}", (HttpContext context, string project, string name) => files.Serve(context, $"/data/upload/{project}/{name}"));
        await app.StartAsync();
        return files;
    }

    /// <summary>Stores <paramref name="content"/> as an upload of project 1 and returns its path, as Label Studio names it.</summary>
    public string Upload(string fileName, byte[] content)
    {
        var path = $"/data/upload/1/{Guid.NewGuid().ToString("N")[..8]}-{fileName}";
        lock (_files)
        {
            _files[path] = content;
        }

        return path;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private IResult Serve(HttpContext context, string path)
    {
        string? authorization = context.Request.Headers.Authorization;
        byte[]? content;
        lock (_files)
        {
            Requests.Add((path, authorization));
            _files.TryGetValue(path, out content);
        }

        if (authorization != $"Token {Token}")
        {
            return Results.StatusCode((int)HttpStatusCode.Unauthorized);
        }

        return content is null ? Results.NotFound() : Results.Bytes(content, "image/jpeg");
    }
}
