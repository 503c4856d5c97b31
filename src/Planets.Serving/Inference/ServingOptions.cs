namespace Planets.Serving.Inference;

/// <summary>How the service loads its model and batches predictions; bound from the <c>Serving</c> configuration section.</summary>
public sealed record ServingOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string Section = "Serving";

    /// <summary>The model's tag: <c>name:version</c>, <c>name</c> or <c>latest</c>.</summary>
    public string Model { get; init; } = "latest";

    /// <summary>The name <c>latest</c> refers to.</summary>
    public string DefaultModelName { get; init; } = "planets-classifier";

    /// <summary>The model store's folder; null for <c>$PIPELINE_MODEL_STORE</c> or <c>.pipeline/models</c>.</summary>
    public string? Store { get; init; }

    /// <summary>Most images one forward pass takes.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>
    /// Longest time a batch waits for more requests, in milliseconds. It only waits while other requests are being
    /// read and decoded, so a lone request never waits.
    /// </summary>
    public double MaxBatchWaitMilliseconds { get; init; } = 2;

    /// <summary>Images that may wait for inference; beyond it requests get 503 at once instead of queueing without bound.</summary>
    public int QueueCapacity { get; init; } = 1024;

    /// <summary>Largest accepted body of <c>POST /predict</c>, in bytes.</summary>
    public long MaxImageBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Largest accepted body of <c>POST /predict/batch</c>, in bytes.</summary>
    public long MaxBatchRequestBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Most images in one <c>POST /predict/batch</c>.</summary>
    public int MaxImagesPerRequest { get; init; } = 64;

    /// <summary>Threads ONNX Runtime uses inside one forward pass.</summary>
    public int InferenceThreads { get; init; } = 1;

    /// <summary>The folder of the prediction log (one JSON line per prediction: features, label, confidence, embedding; never the image); no log when null.</summary>
    public string? PredictionLog { get; init; }

    /// <summary>The prediction log's complete files kept at most, in bytes; the oldest are deleted beyond it.</summary>
    public long PredictionLogMaxBytes { get; init; } = 1_000_000_000;

    /// <summary>
    /// Where complete prediction log files are shipped (<c>s3://bucket/prefix</c> or a folder), as content-addressed
    /// objects; not shipped when null.
    /// </summary>
    public string? PredictionLogRemote { get; init; }

    /// <summary>The S3-compatible server of <see cref="PredictionLogRemote"/> (path-style requests); AWS when null.</summary>
    public string? PredictionLogRemoteEndpoint { get; init; }

    /// <summary>How often complete log files are shipped, in seconds.</summary>
    public double PredictionLogShipSeconds { get; init; } = 60;

    /// <summary>Fails with a one-line message naming the first invalid option.</summary>
    public void Validate()
    {
        Require(MaxBatchSize > 0, "MaxBatchSize must be positive");
        Require(MaxBatchWaitMilliseconds >= 0, "MaxBatchWaitMilliseconds must not be negative");
        Require(QueueCapacity > 0, "QueueCapacity must be positive");
        Require(MaxImageBytes is > 0 and <= int.MaxValue, "MaxImageBytes must be between 1 and 2147483647");
        Require(MaxBatchRequestBytes >= MaxImageBytes, "MaxBatchRequestBytes must be at least MaxImageBytes");
        Require(MaxImagesPerRequest > 0, "MaxImagesPerRequest must be positive");
        Require(InferenceThreads > 0, "InferenceThreads must be positive");
        Require(PredictionLogMaxBytes > 0, "PredictionLogMaxBytes must be positive");
        Require(PredictionLogShipSeconds > 0, "PredictionLogShipSeconds must be positive");
        Require(PredictionLogRemote is null || PredictionLog is not null, "PredictionLogRemote needs PredictionLog, the folder whose files it ships");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"{Section}: {message}");
        }
    }
}
