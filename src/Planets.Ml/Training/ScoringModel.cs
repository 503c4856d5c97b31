using Planets.Ml.Cli;
using Planets.Ml.Config;
using Planets.Ml.Data;
using Pipeline.Models;
using static TorchSharp.torch;

namespace Planets.Ml.Training;

/// <summary>
/// A trained model loaded from the model store to score prepared data (evaluation, monitoring's reference), checked
/// against that data's image shape and classes first, on the pinned CPU kernels.
/// </summary>
/// <param name="Stored">The model as the store holds it (its tag names it in what is written).</param>
/// <param name="Model">The network, in eval mode once scored.</param>
/// <param name="Info">Its shape and classes.</param>
/// <param name="Data">The prepared data it scores.</param>
internal sealed record ScoringModel(StoredModel Stored, PlanetNet Model, ModelInfo Info, PreparedData Data) : IDisposable
{
    /// <summary>Images per forward pass.</summary>
    public const int BatchSize = 256;

    /// <summary>Loads the data and the model of the archive in <paramref name="modelDir"/> (importing it into the store when missing).</summary>
    /// <exception cref="UserErrorException">The model and the data do not fit together.</exception>
    public static async Task<ScoringModel> OpenAsync(string modelDir, string preparedDir, string? storeRoot, CancellationToken cancellationToken)
    {
        var data = await PreparedData.LoadAsync(preparedDir, cancellationToken).ConfigureAwait(false);
        // Always pinned: what scoring writes is recorded in the lock file, so it must not depend on the CPU either.
        TorchRuntime.Initialize(seed: 0, DeviceChoice.Cpu, reproducible: true);
        var stored = await ModelPackaging.FromArchiveAsync(ModelStore.Open(storeRoot), modelDir, cancellationToken).ConfigureAwait(false);
        var (model, info) = await ModelFiles.LoadAsync(stored.Directory, cancellationToken).ConfigureAwait(false);
        var set = data.Test;
        if ((info.InChannels, info.ImageHeight, info.ImageWidth) != (set.Channels, set.Height, set.Width) || !info.Labels.SequenceEqual(data.Labels))
        {
            model.Dispose();
            throw new UserErrorException(
                $"{modelDir}: model expects {info.InChannels}x{info.ImageHeight}x{info.ImageWidth} images of [{string.Join(", ", info.Labels)}] but {preparedDir} has {set.Channels}x{set.Height}x{set.Width} images of [{string.Join(", ", data.Labels)}]");
        }

        return new ScoringModel(stored, model, info, data);
    }

    /// <summary>The class probabilities of every image of <paramref name="set"/>, one row per image, and the logits' own loss and accuracy.</summary>
    public (LossAccuracy Own, float[][] Probabilities) Score(PreparedSet set, CancellationToken cancellationToken)
    {
        using var logits = Trainer.Logits(Model, set, CPU, BatchSize, cancellationToken);
        var own = Trainer.Measure(logits, set);
        using var probabilities = nn.functional.softmax(logits, 1);
        return (own, Rows(probabilities, set.Count));
    }

    /// <summary>The last hidden layer of every image of <paramref name="set"/>, one row per image.</summary>
    public float[][] Embeddings(PreparedSet set, CancellationToken cancellationToken)
    {
        using var embeddings = Trainer.Embeddings(Model, set, CPU, BatchSize, cancellationToken);
        return Rows(embeddings, set.Count);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();

    private static float[][] Rows(Tensor matrix, int count)
    {
        var flat = matrix.data<float>().ToArray();
        var width = (int)matrix.shape[1];
        return [.. Enumerable.Range(0, count).Select(i => flat.AsSpan(i * width, width).ToArray())];
    }
}
