using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Planets.Serving.Api;
using Planets.Serving.Inference;
using Prometheus;

namespace Planets.Serving.LabelStudio;

/// <summary>
/// A Label Studio ML backend on the prediction service's own model host, under <see cref="Prefix"/>: connect a Label
/// Studio project to <c>http://HOST:3000/label-studio</c>. It speaks what a Label Studio server sends (its
/// <c>ml/api_connector.py</c>): <c>GET /health</c>, <c>POST /setup</c>, <c>POST /predict</c>, <c>POST /webhook</c>.
/// </summary>
internal static class LabelStudioEndpoints
{
    /// <summary>Where the backend's endpoints live on the service.</summary>
    public const string Prefix = "/label-studio";

    // The events the reference backend treats as training triggers; any other action is "Unknown event".
    private static readonly HashSet<string> TrainingEvents = new(StringComparer.Ordinal)
    {
        "ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATION_DELETED", "START_TRAINING",
    };

    private static readonly Counter Events = Metrics.CreateCounter(
        "planets_label_studio_events_total", "Label Studio webhook events received, by action.", new CounterConfiguration { LabelNames = ["action"] });

    /// <summary>Maps the backend's endpoints.</summary>
    public static IEndpointRouteBuilder MapLabelStudioBackend(this IEndpointRouteBuilder app)
    {
        var backend = app.MapGroup(Prefix).WithTags(ApiDocument.LabelStudioTag).AddEndpointFilter<BasicAuthFilter>().DisableAntiforgery();
        backend.MapGet("/", Health).WithName("LabelStudioRoot").WithSummary("Backend health, as Label Studio checks it").ProducesProblem(StatusCodes.Status401Unauthorized);
        backend.MapGet("/health", Health).WithName("LabelStudioHealth").WithSummary("Backend health, as Label Studio checks it").ProducesProblem(StatusCodes.Status401Unauthorized);
        backend.MapPost("/setup", SetupAsync).WithName("LabelStudioSetup").WithSummary("Connects a Label Studio project: checks its label config against the model")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        backend.MapPost("/predict", PredictAsync).WithName("LabelStudioPredict").WithSummary("Pre-labels Label Studio tasks, one result per task in task order")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        backend.MapPost("/webhook", WebhookAsync).WithName("LabelStudioWebhook").WithSummary("Receives Label Studio's annotation and training events")
            .Produces<WebhookAnswer>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static Results<Ok<BackendHealth>, JsonHttpResult<BackendHealth>> Health(ModelHost host) =>
        host.Current is { } model
            ? TypedResults.Ok(new BackendHealth("UP", model.Model.Manifest.Name, model.Model.Tag.ToString()))
            : TypedResults.Json(new BackendHealth("LOADING", "planets-classifier", null), statusCode: StatusCodes.Status503ServiceUnavailable);

    private static async Task<Ok<SetupAnswer>> SetupAsync(HttpRequest request, ModelHost host, LabelStudioProjects projects, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(request, cancellationToken).ConfigureAwait(false);
        var model = host.Current ?? throw RequestProblemException.NotReady();
        var project = Text(body, "project") ?? throw new RequestProblemException("project: missing (Label Studio sends \"<id>.<timestamp>\")");
        var config = LabelConfig.Parse(Text(body, "schema"), model.Classifier.Labels);
        projects.Remember(project, new ProjectSetup(config, Hostname(Text(body, "hostname")), NonEmpty(Text(body, "access_token"))));
        return TypedResults.Ok(new SetupAnswer(model.Model.Tag.ToString()));
    }

    private static async Task<Ok<PredictAnswer>> PredictAsync(
        HttpRequest request, ModelHost host, LabelStudioProjects projects, TaskImages images, IOptions<LabelStudioOptions> options, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(request, cancellationToken).ConfigureAwait(false);
        var model = host.Current ?? throw RequestProblemException.NotReady();
        var setup = projects.Find(Text(body, "project"));
        var config = NonEmpty(Text(body, "label_config")) is { } xml
            ? LabelConfig.Parse(xml, model.Classifier.Labels)
            : setup?.Config ?? throw new RequestProblemException("label_config: missing, and the project has not been set up (POST /setup)");
        var tasks = body["tasks"] as JsonArray ?? throw new RequestProblemException("tasks: expected a list of tasks");
        var predictor = new TaskPredictor(model, config, setup, images, options.Value.FetchConcurrency);
        var results = await predictor.PredictAsync([.. tasks], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PredictAnswer(results, model.Model.Tag.ToString()));
    }

    private static async Task<IResult> WebhookAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(request, cancellationToken).ConfigureAwait(false);
        var action = Text(body, "action");
        if (action is null || !TrainingEvents.Contains(action))
        {
            return TypedResults.Ok(new WebhookAnswer("Unknown event", null));
        }

        Events.WithLabels(action).Inc();
        // The service never changes its model in place: a model comes from the pipeline, so that the lock file,
        // the model store and the image say which data made it.
        var outcome = action == "START_TRAINING"
            ? "not trained here: export the project, run ImportAnnotations --file=EXPORT, then Repro (or let CI retrain)"
            : "counted; annotations reach the model through an export, ImportAnnotations and Repro";
        return TypedResults.Json(new WebhookAnswer("ok", outcome), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
                ?? throw new RequestProblemException("expected a JSON object as the body");
        }
        catch (JsonException ex)
        {
            throw new RequestProblemException($"the body is not JSON ({ex.Message})", ex);
        }
    }

    private static string? Text(JsonObject body, string name) => body[name] switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value => value.ToJsonString(),
        _ => null,
    };

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static Uri? Hostname(string? hostname) =>
        NonEmpty(hostname) is not { } given ? null
        : Uri.TryCreate(given, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
        : throw new RequestProblemException($"hostname: '{given}' is not an http(s) URL");
}
