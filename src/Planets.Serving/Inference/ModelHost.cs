using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Pipeline.Models;
using Planets.Models;
using Planets.Models.Preprocessing;

namespace Planets.Serving.Inference;

/// <summary>A model ready to answer: its store entry, the shared preprocessing and the batcher in front of ONNX Runtime.</summary>
/// <param name="Model">The model as stored.</param>
/// <param name="Classifier">Its classes, preprocessing and tensors, from the store's metadata.</param>
/// <param name="Preprocessor">The preprocessing the model was trained with.</param>
/// <param name="Batcher">Where predictions are queued.</param>
public sealed record LoadedModel(StoredModel Model, ClassifierMetadata Classifier, ImagePreprocessor Preprocessor, PredictionBatcher Batcher);

/// <summary>
/// Loads the configured model in the background (so <c>/livez</c> answers at once and <c>/readyz</c> says when the
/// model is in), then runs the prediction batcher until the service stops.
/// </summary>
public sealed partial class ModelHost(IOptions<ServingOptions> options, IHostApplicationLifetime lifetime, ILogger<ModelHost> logger)
    : BackgroundService, IHealthCheck
{
    private volatile LoadedModel? _current;

    /// <summary>The loaded model, or null while loading.</summary>
    public LoadedModel? Current => _current;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_current is { } model
            ? HealthCheckResult.Healthy($"model {model.Model.Tag} loaded")
            : HealthCheckResult.Unhealthy("model not loaded yet"));

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        OnnxClassifier? classifier = null;
        try
        {
            var model = await ModelStore.Open(settings.Store)
                .GetAsync(ModelTag.Parse(settings.Model, settings.DefaultModelName), stoppingToken).ConfigureAwait(false);
            var metadata = ClassifierMetadata.Of(model);
            classifier = OnnxClassifier.Load(model, metadata, settings.InferenceThreads);
            var batcher = new PredictionBatcher(classifier, metadata.Labels, settings);
            _current = new LoadedModel(model, metadata, new ImagePreprocessor(metadata.Preprocessing), batcher);
            ServingMetrics.ModelInfo.WithLabels(model.Manifest.Name, model.Manifest.Version).Set(1);
            LogLoaded(logger, model.Tag, metadata.Labels.Length);
            await batcher.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelStoreException or FormatException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            // Without a model the service can only ever answer 503: stop, so an orchestrator restarts or reports it.
            LogLoadFailed(logger, settings.Model, ex.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
        finally
        {
            _current = null;
            classifier?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Tag} ({Labels} labels)")]
    private static partial void LogLoaded(ILogger logger, ModelTag tag, int labels);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot load model '{Model}': {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string model, string reason);
}
