using System.Diagnostics;
using System.Threading.Channels;

namespace Planets.Serving.Inference;

/// <summary>
/// Adaptive micro-batching: concurrent requests are queued (boundedly) and answered by one forward pass over as many
/// of them as are waiting, up to <see cref="ServingOptions.MaxBatchSize"/>. A batch waits at most
/// <see cref="ServingOptions.MaxBatchWaitMilliseconds"/> for more, and only while other requests are still being
/// read and decoded; so a lone request runs at once, and under load the batches grow by themselves.
/// </summary>
public sealed class PredictionBatcher
{
    private readonly Channel<PendingImage> _queue;
    private readonly OnnxClassifier _classifier;
    private readonly IReadOnlyList<string> _labels;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxWait;
    private int _arriving;

    /// <summary>Creates the batcher for one loaded model.</summary>
    public PredictionBatcher(OnnxClassifier classifier, IReadOnlyList<string> labels, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        _labels = labels ?? throw new ArgumentNullException(nameof(labels));
        _maxBatchSize = options.MaxBatchSize;
        _maxWait = TimeSpan.FromMilliseconds(options.MaxBatchWaitMilliseconds);
        _queue = Channel.CreateBounded<PendingImage>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>
    /// Announces a request that will ask for predictions once its images are decoded; batches wait for announced
    /// requests (up to the maximum wait). Dispose it, or pass it to <see cref="PredictAsync"/>, when done.
    /// </summary>
    public Arrival Arrive()
    {
        Interlocked.Increment(ref _arriving);
        return new Arrival(this);
    }

    /// <summary>Queues one preprocessed image and returns its prediction once its batch has run.</summary>
    /// <exception cref="ServiceBusyException">The queue is full.</exception>
    public Task<Prediction> PredictAsync(float[] image, Arrival? arrival, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var pending = new PendingImage(image, new TaskCompletionSource<Prediction>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        // Counted before it is queued, so the batch loop's decrement can never run first and show a negative queue.
        ServingMetrics.QueueLength.Inc();
        var queued = _queue.Writer.TryWrite(pending);
        arrival?.Dispose();
        if (!queued)
        {
            ServingMetrics.QueueLength.Dec();
            ServingMetrics.Rejected.Inc();
            throw new ServiceBusyException();
        }

        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs batches until <paramref name="stoppingToken"/> is cancelled; then fails what is still queued.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingImage>(_maxBatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                Drain(batch);
                if (batch.Count < _maxBatchSize && _maxWait > TimeSpan.Zero && Volatile.Read(ref _arriving) > 0)
                {
                    await GatherAsync(batch, stoppingToken).ConfigureAwait(false);
                }

                Run(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: fall through and release whoever still waits.
        }
        finally
        {
            _queue.Writer.TryComplete();
            Drain(batch);
            batch.ForEach(p => p.Completion.TrySetException(new ServiceBusyException()));
        }
    }

    private async Task GatherAsync(List<PendingImage> batch, CancellationToken stoppingToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(_maxWait);
        try
        {
            while (batch.Count < _maxBatchSize && Volatile.Read(ref _arriving) > 0
                && await _queue.Reader.WaitToReadAsync(deadline.Token).ConfigureAwait(false))
            {
                Drain(batch);
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The wait is over: run what we have.
        }
    }

    private void Drain(List<PendingImage> batch)
    {
        while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var pending))
        {
            ServingMetrics.QueueLength.Dec();
            if (pending.CancellationToken.IsCancellationRequested)
            {
                // The client went away while queued: no forward pass for nobody.
                pending.Completion.TrySetCanceled(pending.CancellationToken);
                continue;
            }

            batch.Add(pending);
        }
    }

    private void Run(List<PendingImage> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            var length = _classifier.ImageLength;
            var input = new float[batch.Count * length];
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Image.CopyTo(input, i * length);
            }

            var started = Stopwatch.GetTimestamp();
            var output = _classifier.Run(input, batch.Count);
            ServingMetrics.InferenceDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            ServingMetrics.BatchSize.Observe(batch.Count);
            var width = _classifier.EmbeddingLength;
            for (var i = 0; i < batch.Count; i++)
            {
                var prediction = Prediction.From(_labels, output.Probabilities.AsSpan(i * _classifier.Classes, _classifier.Classes)) with
                {
                    Embedding = output.Embeddings?[(i * width)..((i + 1) * width)],
                };
                ServingMetrics.Predictions.WithLabels(prediction.Label).Inc();
                batch[i].Completion.TrySetResult(prediction);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One failed forward pass fails its batch's requests, never the loop that serves everyone else.
            batch.ForEach(p => p.Completion.TrySetException(ex));
        }
    }

    /// <summary>A request announced to the batcher; disposing it withdraws the announcement (once).</summary>
    public sealed class Arrival : IDisposable
    {
        private PredictionBatcher? _batcher;

        internal Arrival(PredictionBatcher batcher) => _batcher = batcher;

        /// <inheritdoc />
        public void Dispose()
        {
            var batcher = Interlocked.Exchange(ref _batcher, null);
            if (batcher is not null)
            {
                Interlocked.Decrement(ref batcher._arriving);
            }
        }
    }

    private sealed record PendingImage(float[] Image, TaskCompletionSource<Prediction> Completion, CancellationToken CancellationToken);
}

/// <summary>The prediction queue is full (or the service is stopping): the client should retry later (503).</summary>
public sealed class ServiceBusyException : Exception
{
    /// <summary>Creates the error.</summary>
    public ServiceBusyException()
        : base("the prediction queue is full; retry later")
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public ServiceBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and cause.</summary>
    public ServiceBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
