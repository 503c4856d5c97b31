using Microsoft.Extensions.Options;
using Pipeline.Monitoring;
using Planets.Models.Preprocessing;

namespace Planets.Serving.Inference;

/// <summary>
/// Logs each prediction for monitoring when <see cref="ServingOptions.PredictionLog"/> is set: the image's features
/// (as the model saw it), the answer, its confidence and entropy, the model's last hidden layer, the model and the
/// request; never the image. Queued without waiting, written in the background (<see cref="PredictionLog"/>).
/// </summary>
public sealed partial class PredictionMonitor : IHostedService, IAsyncDisposable
{
    /// <summary>The header whose value, when a request carries one, is the logged request id.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    private readonly PredictionLog? log;
    private readonly PredictionLogRemote? remote;
    private readonly PredictionLogShipper? shipper;
    private readonly TimeProvider time;
    private int disposed;

    /// <summary>
    /// Opens the log when one is configured (completing files a killed service left open), and starts shipping its
    /// complete files when a remote is configured.
    /// </summary>
    public PredictionMonitor(IOptions<ServingOptions> options, TimeProvider time, ILogger<PredictionMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.time = time;
        var settings = options.Value;
        log = settings.PredictionLog is { Length: > 0 } folder
            ? new PredictionLog(new PredictionLogOptions(folder) { MaxFolderBytes = settings.PredictionLogMaxBytes }, time)
            : null;
        if (log is not null && settings.PredictionLogRemote is { Length: > 0 } url)
        {
            var opened = remote = PredictionLogRemote.Open(url, settings.PredictionLogRemoteEndpoint);
            shipper = new PredictionLogShipper(settings.PredictionLog!, async (file, cancellationToken) =>
            {
                try
                {
                    await opened.ShipAsync(file, cancellationToken).ConfigureAwait(false);
                    Shipped(logger, file, url);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    NotShipped(logger, file, url, e.Message);
                    throw;
                }
            }, TimeSpan.FromSeconds(settings.PredictionLogShipSeconds), time);
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

    /// <summary>Nothing to start: the log opened, and shipping started, when the host made this at startup.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing to stop before the host disposes this (<see cref="DisposeAsync"/>), after requests have ended.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Writes what is queued and completes the open file, then ships what is complete.</summary>
    public async ValueTask DisposeAsync()
    {
        // The container disposes it twice: as the singleton, and as the hosted service its factory returned.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Shipped prediction log file {File} to {Remote}")]
    private static partial void Shipped(ILogger logger, string file, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prediction log file {File} not shipped to {Remote} (tried again next round): {Reason}")]
    private static partial void NotShipped(ILogger logger, string file, string remote, string reason);
}
