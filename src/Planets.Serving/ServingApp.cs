using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipeline.Models;
using Planets.Serving.Api;
using Planets.Serving.Inference;
using Planets.Serving.Labeling;
using Planets.Serving.LabelStudio;
using Planets.Serving.Web;
using Prometheus;
using Scalar.AspNetCore;

namespace Planets.Serving;

/// <summary>Builds the prediction service: minimal API endpoints, a Label Studio ML backend, health, metrics, OpenAPI and the upload page.</summary>
public static class ServingApp
{
    /// <summary>The address the service listens on when no <c>--urls</c> is given: port 3000, as the reference.</summary>
    public const string DefaultUrls = "http://localhost:3000";

    /// <summary>The command-line switches, the configuration keys they set and what they mean.</summary>
    public static readonly IReadOnlyList<ServingSwitch> Switches =
    [
        new("--model", "Serving:Model", "The model: name:version, name (its latest version) or latest"),
        new("--store", "Serving:Store", $"The model store (default: ${ModelStore.RootVariable}, else {ModelStore.DefaultRoot})"),
        new("--max-batch-size", "Serving:MaxBatchSize", "Images per inference batch at most"),
        new("--max-batch-wait-ms", "Serving:MaxBatchWaitMilliseconds", "How long a batch waits to fill, in milliseconds"),
        new("--queue-capacity", "Serving:QueueCapacity", "Images waiting for inference at most; beyond, requests get 503"),
        new("--max-image-bytes", "Serving:MaxImageBytes", "The largest image accepted, in bytes"),
        new("--max-batch-request-bytes", "Serving:MaxBatchRequestBytes", "The largest batch request accepted, in bytes"),
        new("--max-images-per-request", "Serving:MaxImagesPerRequest", "Images in one batch request at most"),
        new("--inference-threads", "Serving:InferenceThreads", "ONNX Runtime's threads per inference"),
        new("--prediction-log", "Serving:PredictionLog", "The folder of the prediction log for monitoring (a JSON line per prediction, never the image); off when not set"),
        new("--prediction-log-max-bytes", "Serving:PredictionLogMaxBytes", "The prediction log's complete files kept at most, in bytes (default 1 GB; the oldest go first)"),
        new("--prediction-log-remote", "Serving:PredictionLogRemote", "Where complete prediction log files are shipped: s3://bucket/prefix or a folder (credentials from the environment)"),
        new("--prediction-log-remote-endpoint", "Serving:PredictionLogRemoteEndpoint", "The S3-compatible server of the prediction log's remote (default: AWS)"),
        new("--prediction-log-ship-seconds", "Serving:PredictionLogShipSeconds", "How often complete prediction log files are shipped, in seconds (default 60)"),
        new("--label-studio-host", "LabelStudio:Hostname", "The Label Studio server whose task images the ML backend fetches"),
        new("--label-studio-local-files", "LabelStudio:LocalFilesRoot", "The folder Label Studio's local-files URLs point into"),
        new("--label-studio-allowed-hosts", "LabelStudio:AllowedHosts", "Other hosts task images may come from, comma-separated"),
        new("--images", "Labeling:Images", "The images to label, pre-labelled by the model, least confident first", Labeling: true),
        new("--out", "Labeling:Export", "The annotations file each submit rewrites (default labeling/annotations.json)", Labeling: true),
        new("--editor", "Labeling:Editor", "The Label Studio editor's files (default: the ones scripts/setup-labeling.sh installs)", Labeling: true),
    ];

    /// <summary>Builds the application from command-line arguments (see <see cref="Switches"/>, plus ASP.NET Core's own such as <c>--urls</c>).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Per-request information logs cost more than a prediction; problems are still logged.
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        });
        builder.Configuration.AddEnvironmentVariables("PLANETS_SERVING_");
        builder.Configuration.AddCommandLine(args, Switches.ToDictionary(s => s.Name, s => s.Key));
        var options = builder.Configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
        options.Validate();
        var labelStudio = builder.Configuration.GetSection(LabelStudioOptions.Section).Get<LabelStudioOptions>() ?? new LabelStudioOptions();
        labelStudio.Validate();
        var labeling = builder.Configuration.GetSection(LabelingOptions.Section).Get<LabelingOptions>() ?? new LabelingOptions();
        labeling.Validate();
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        ConfigureServices(builder, options);
        ConfigureLabelStudio(builder.Services, labelStudio);
        if (labeling.Images is not null)
        {
            builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(labeling));
            builder.Services.AddSingleton<LabelingSession>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LabelingSession>());
        }

        var app = builder.Build();
        ConfigurePipeline(app);
        if (labeling.Images is not null)
        {
            app.MapLabelingPage();
        }

        return app;
    }

    private static void ConfigureServices(WebApplicationBuilder builder, ServingOptions options)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBatchRequestBytes;
        });
        var services = builder.Services;
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton<ModelHost>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PredictionMonitor>();
        // Made at startup, not at the first prediction: it completes the files a killed service left and starts shipping.
        services.AddHostedService(sp => sp.GetRequiredService<PredictionMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<ModelHost>());
        services.AddHealthChecks().Add(new HealthCheckRegistration("model", sp => sp.GetRequiredService<ModelHost>(), null, ["ready"]));
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Routing refuses a body type no endpoint accepts before any handler runs; say what would be accepted.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && context.ProblemDetails.Detail is null)
            {
                context.ProblemDetails.Detail = $"content type '{context.HttpContext.Request.ContentType ?? "(none)"}' is not supported; "
                    + "send image/jpeg or image/png as the body, or multipart/form-data";
            }
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi(ApiDocument.Configure);
    }

    private static void ConfigureLabelStudio(IServiceCollection services, LabelStudioOptions options)
    {
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton<LabelStudioProjects>();
        services.AddSingleton<TaskImages>();
        // No redirects: an allowed host must not be able to send the download on to one that is not.
        services.AddHttpClient(TaskImages.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    }

    private static void ConfigurePipeline(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseHttpMetrics();

        app.MapGet("/", WebPage.Index).ExcludeFromDescription();
        app.MapPredictions();
        app.MapLabelStudioBackend();
        app.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).ExcludeFromDescription();
        app.MapMetrics("/metrics");
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", scalar =>
        {
            scalar.Title = ApiDocument.Title;
            // This API and nothing else, offline: Scalar's script is served from the package; no fonts from its CDN,
            // no telemetry, no AI chat or MCP offers, no developer toolbar, no .NET deployment flag.
            scalar.DefaultFonts = false;
            scalar.Telemetry = false;
            scalar.Agent = new ScalarAgentOptions { Disabled = true };
            scalar.Mcp = new ScalarMcpOptions { Disabled = true };
            scalar.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            scalar.DotNetFlag = false;
        });
    }
}
