using Microsoft.Extensions.Options;
using Pipeline.Monitoring;
using Planets.Models.Preprocessing;

namespace Planets.Serving.Inference;

/// <summary>
/// Logs each prediction for monitoring when <see cref="ServingOptions.PredictionLog"/> is set: the image's features
/// (as the model saw it), the answer, its confidence and entropy, the model's last hidden layer, the model and the
/// request; never the image. Queued without waiting, written in the background (<see cref="PredictionLog"/>).
/// </summary>
public sealed class PredictionMonitor : IAsyncDisposable
{
    /// <summary>The header whose value, when a request carries one, is the logged request id.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    private readonly PredictionLog? log;
    private readonly PredictionLogRemote? remote;
    private readonly PredictionLogShipper? shipper;
    private readonly TimeProvider time;

    /// <summary>
    /// Opens the log when one is configured (completing files a killed service left open), and starts shipping its
    /// complete files when a remote is configured.
    /// </summary>
    public PredictionMonitor(IOptions<ServingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.time = time;
        var settings = options.Value;
        log = settings.PredictionLog is { Length: > 0 } folder
            ? new PredictionLog(new PredictionLogOptions(folder) { MaxFolderBytes = settings.PredictionLogMaxBytes }, time)
            : null;
        if (log is not null && settings.PredictionLogRemote is { Length: > 0 } url)
        {
            remote = PredictionLogRemote.Open(url, settings.PredictionLogRemoteEndpoint);
            shipper = new PredictionLogShipper(settings.PredictionLog!, remote.ShipAsync, TimeSpan.FromSeconds(settings.PredictionLogShipSeconds), time);
        }
    }

    /// <summary>Whether predictions are logged.</summary>
    public bool Enabled => log is not null;

    /// <summary>Logs one prediction; <paramref name="index"/> tells the images of a batch request apart.</summary>
    public void Record(HttpContext http, LoadedModel model, float[] pixels, Prediction prediction, int? index = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prediction);
        if (log is null)
        {
            return;
        }

        var probabilities = prediction.Probabilities.Values.ToArray();
        // The caller's correlation id when it sends one (a gateway's, a client's), else the server's own.
        var request = http.Request.Headers[RequestIdHeader] is [{ Length: > 0 and <= 128 } given] ? given : http.TraceIdentifier;
        log.TryAdd(new PredictionRecord
        {
            Time = time.GetUtcNow(),
            RequestId = index is null ? request : $"{request}/{index}",
            Model = model.Model.Tag.ToString(),
            PredictedLabel = prediction.Label,
            Confidence = prediction.Probabilities[prediction.Label],
            Entropy = PredictionRecord.EntropyOf(probabilities),
            Features = ImageFeatures.Of(pixels),
            Embedding = prediction.Embedding is { } embedding ? [.. embedding] : null,
        });
        ServingMetrics.PredictionLogDropped.IncTo(log.Dropped);
    }

    /// <summary>Files shipped to the remote so far, and attempts that failed; null when nothing is shipped.</summary>
    public (int Shipped, long Failures, string? LastError)? Shipping => shipper is null ? null : (shipper.Shipped, shipper.Failures, shipper.LastError);

    /// <summary>Writes what is queued and completes the open file, then ships what is complete.</summary>
    public async ValueTask DisposeAsync()
    {
        if (log is not null)
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }

        if (shipper is not null)
        {
            await shipper.DisposeAsync().ConfigureAwait(false);
        }

        remote?.Dispose();
    }
}
