using Planets.Ml.Common;
using Planets.Ml.Config;
using Planets.Ml.Data;
using static TorchSharp.torch;

namespace Planets.Ml.Training;

/// <summary>Trains <see cref="PlanetNet"/> like Keras' <c>fit</c>: Adam, reshuffled batches, validation each epoch.</summary>
internal static class Trainer
{
    /// <summary>Runs all epochs and returns the per-epoch metrics; stops at a batch boundary on cancellation.</summary>
    public static IReadOnlyList<EpochMetrics> Train(
        PlanetNet model, PreparedSet train, PreparedSet test, TrainParams p, Device device, TrainingProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(progress);
        // Keras' Adam defaults (TorchSharp's beta2 default is 0.99 and its epsilon 1e-8).
        using var optimizer = optim.Adam(model.parameters(), p.LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        using var inputs = ToTensor(train, device);
        using var labels = LabelTensor(train, device);
        var order = new SeededRandom((ulong)p.Seed);
        var history = new List<EpochMetrics>();
        for (var epoch = 1; epoch <= p.Epochs; epoch++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var trainMetrics = RunEpoch(model, optimizer, inputs, labels, order.Permutation(train.Count), p.BatchSize, epoch, progress, cancellationToken);
            var validation = Evaluate(model, test, device, p.BatchSize, cancellationToken);
            var metrics = new EpochMetrics(epoch, trainMetrics.Loss, trainMetrics.Accuracy, validation.Loss, validation.Accuracy);
            history.Add(metrics);
            progress.Epoch(metrics, started.Elapsed);
        }

        return history;
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> on <paramref name="set"/>.</summary>
    public static LossAccuracy Evaluate(PlanetNet model, PreparedSet set, Device device, int batchSize, CancellationToken cancellationToken)
    {
        using var logits = Logits(model, set, device, batchSize, cancellationToken);
        return Measure(logits, set);
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="logits"/> (N x classes) against the labels of <paramref name="set"/>.</summary>
    public static LossAccuracy Measure(Tensor logits, PreparedSet set)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(set);
        using var labels = LabelTensor(set, logits.device);
        using var loss = nn.functional.cross_entropy(logits, labels);
        using var predicted = logits.argmax(1);
        using var correct = predicted.eq(labels).sum();
        return new LossAccuracy(loss.item<float>(), (double)correct.item<long>() / set.Count);
    }

    /// <summary>The model's logits for every image of <paramref name="set"/>, N x classes, in eval mode.</summary>
    public static Tensor Logits(PlanetNet model, PreparedSet set, Device device, int batchSize, CancellationToken cancellationToken) =>
        InBatches(model, model.forward, set, device, batchSize, cancellationToken);

    /// <summary>The model's last hidden layer for every image of <paramref name="set"/>, N x dense size, in eval mode.</summary>
    public static Tensor Embeddings(PlanetNet model, PreparedSet set, Device device, int batchSize, CancellationToken cancellationToken) =>
        InBatches(model, model.Embed, set, device, batchSize, cancellationToken);

    private static Tensor InBatches(PlanetNet model, Func<Tensor, Tensor> apply, PreparedSet set, Device device, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        model.eval();
        using var noGrad = no_grad();
        using var inputs = ToTensor(set, device);
        var parts = new List<Tensor>();
        try
        {
            for (var start = 0; start < set.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var batch = inputs.narrow(0, start, Math.Min(batchSize, set.Count - start));
                parts.Add(apply(batch));
            }

            return cat(parts, 0);
        }
        finally
        {
            parts.ForEach(t => t.Dispose());
        }
    }

    private static LossAccuracy RunEpoch(
        PlanetNet model, optim.Optimizer optimizer, Tensor inputs, Tensor labels, int[] order, int batchSize, int epoch, TrainingProgress progress, CancellationToken cancellationToken)
    {
        model.train();
        var batches = (order.Length + batchSize - 1) / batchSize;
        double lossSum = 0;
        long correct = 0;
        for (var b = 0; b < batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var indices = order.Skip(b * batchSize).Take(batchSize).Select(i => (long)i).ToArray();
            var index = tensor(indices, device: inputs.device);
            var batchLabels = labels.index_select(0, index);
            var logits = model.forward(inputs.index_select(0, index));
            var loss = nn.functional.cross_entropy(logits, batchLabels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            // Sample-weighted, so a short last batch counts for what it holds (as Keras averages).
            lossSum += loss.item<float>() * indices.Length;
            correct += logits.argmax(1).eq(batchLabels).sum().item<long>();
            var seen = Math.Min(order.Length, (b + 1) * batchSize);
            progress.Batch(epoch, b + 1, batches, lossSum / seen, (double)correct / seen);
        }

        return new LossAccuracy(lossSum / order.Length, (double)correct / order.Length);
    }

    private static Tensor ToTensor(PreparedSet set, Device device) =>
        tensor(set.Pixels, [set.Count, set.Channels, set.Height, set.Width], device: device);

    private static Tensor LabelTensor(PreparedSet set, Device device) =>
        tensor(set.Labels.Select(l => (long)l).ToArray(), device: device);
}
