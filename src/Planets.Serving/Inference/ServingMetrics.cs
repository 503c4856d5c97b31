using Prometheus;

namespace Planets.Serving.Inference;

/// <summary>
/// The service's own Prometheus metrics, beside the HTTP ones (requests by route and status, durations, in flight)
/// that prometheus-net's middleware records. Collectors live in the default registry, which <c>/metrics</c> exports.
/// </summary>
internal static class ServingMetrics
{
    /// <summary>Images per forward pass.</summary>
    public static readonly Histogram BatchSize = Metrics.CreateHistogram(
        "planets_prediction_batch_size", "Images per forward pass of the model.",
        new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128] });

    /// <summary>Seconds of one forward pass.</summary>
    public static readonly Histogram InferenceDuration = Metrics.CreateHistogram(
        "planets_inference_duration_seconds", "Seconds of one forward pass of the model (a whole batch).",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });

    /// <summary>Images waiting for inference.</summary>
    public static readonly Gauge QueueLength = Metrics.CreateGauge(
        "planets_prediction_queue_length", "Images waiting for a forward pass.");

    /// <summary>Predictions made, by predicted label.</summary>
    public static readonly Counter Predictions = Metrics.CreateCounter(
        "planets_predictions_total", "Predictions made, by predicted label.", new CounterConfiguration { LabelNames = ["label"] });

    /// <summary>Requests refused because the queue was full.</summary>
    public static readonly Counter Rejected = Metrics.CreateCounter(
        "planets_predictions_rejected_total", "Images refused because the prediction queue was full.");

    /// <summary>1 for the loaded model's name and version.</summary>
    public static readonly Gauge ModelInfo = Metrics.CreateGauge(
        "planets_model_info", "The model being served (value 1).", new GaugeConfiguration { LabelNames = ["name", "version"] });

    /// <summary>Predictions the prediction log could not keep (its queue full, or its folder not writable).</summary>
    public static readonly Counter PredictionLogDropped = Metrics.CreateCounter(
        "planets_prediction_log_dropped_total", "Predictions not written to the prediction log (queue full or folder not writable).");
}
