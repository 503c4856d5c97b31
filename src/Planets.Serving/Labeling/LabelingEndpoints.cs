using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;
using Planets.Serving.Api;

namespace Planets.Serving.Labeling;

/// <summary>
/// The labeling page: <c>GET /label</c> (the page), <c>/label/editor/…</c> (the Label Studio editor's files),
/// <c>/data/local-files/?d=…</c> (the images, at the path Label Studio's local-files storage gives them),
/// <c>GET /label/api/tasks</c> and <c>POST /label/api/tasks/{id}/annotations</c>.
/// </summary>
internal static class LabelingEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(LabelingEndpoints).Assembly.GetManifestResourceStream("Planets.Serving.label.html")
            ?? throw new InvalidOperationException("the labeling page is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Maps the page's endpoints.</summary>
    public static IEndpointRouteBuilder MapLabelingPage(this IEndpointRouteBuilder app)
    {
        var page = app.MapGroup("").ExcludeFromDescription().DisableAntiforgery();
        page.MapGet("/label", () => Results.Content(Page.Value, "text/html; charset=utf-8"));
        page.MapGet("/label/editor/{**file}", (string file, IOptions<LabelingOptions> options) => FileUnder(options.Value.Editor, file));
        page.MapGet("/data/local-files/", (string? d, IOptions<LabelingOptions> options) => FileUnder(options.Value.Images!, d ?? ""));
        page.MapGet("/label/api/tasks", Tasks);
        page.MapPost("/label/api/tasks/{id:int}/annotations", AnnotateAsync);
        return app;
    }

    private static IResult Tasks(LabelingSession session) =>
        session.Current is { } state
            ? Results.Json(Describe(state))
            : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable", detail: "pre-labelling the images; retry in a moment");

    private static async Task<IResult> AnnotateAsync(int id, HttpRequest request, LabelingSession session, CancellationToken cancellationToken)
    {
        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
                ?? throw new RequestProblemException("expected {\"result\": [...], \"lead_time\": seconds, \"was_cancelled\": false}");
        }
        catch (JsonException ex)
        {
            throw new RequestProblemException($"the body is not JSON ({ex.Message})", ex);
        }

        var result = body["result"] as JsonArray ?? [];
        var cancelled = body["was_cancelled"] is JsonValue value && value.TryGetValue<bool>(out var skipped) && skipped;
        var leadTime = body["lead_time"] is JsonValue time && time.TryGetValue<double>(out var seconds) ? seconds : 0;
        var state = await session.AnnotateAsync(id, (JsonArray)result.DeepClone(), cancelled, leadTime, cancellationToken).ConfigureAwait(false);
        return Results.Json(new JsonObject { ["labelled"] = state.Labelled, ["total"] = state.Tasks.Count });
    }

    private static JsonObject Describe(LabelingState state) => new()
    {
        ["config"] = state.ConfigXml,
        ["total"] = state.Tasks.Count,
        ["labelled"] = state.Labelled,
        ["tasks"] = new JsonArray([.. state.Tasks.Select(task => new JsonObject
        {
            ["id"] = task.Id,
            ["data"] = new JsonObject { ["image"] = task.Image },
            ["predictions"] = task.Prediction is null ? new JsonArray() : new JsonArray(Prediction(task)),
            ["annotation"] = task.Annotation is null ? null : new JsonObject
            {
                ["result"] = task.Annotation.Result.DeepClone(),
                ["was_cancelled"] = task.Annotation.Cancelled,
            },
        })]),
    };

    private static JsonObject Prediction(LabelingTask task)
    {
        var prediction = JsonSerializer.SerializeToNode(task.Prediction)!.AsObject();
        prediction["id"] = task.Id;
        return prediction;
    }

    // Only files inside the folder: a path that climbs out of it is not found.
    private static IResult FileUnder(string folder, string relative)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, relative));
        return path.StartsWith(root, StringComparison.Ordinal) && File.Exists(path)
            ? Results.File(path, ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream")
            : Results.NotFound();
    }
}
