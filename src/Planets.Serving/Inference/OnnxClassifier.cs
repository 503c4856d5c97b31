using Microsoft.ML.OnnxRuntime;
using Pipeline.Models;
using Planets.Models;
using Planets.Models.Onnx;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace Planets.Serving.Inference;

/// <summary>Runs a stored model's ONNX export with ONNX Runtime: a batch of preprocessed images in, class probabilities out.</summary>
public sealed class OnnxClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames = [OnnxExporter.InputName];
    private readonly string[] _outputNames;
    private readonly long[] _imageShape;

    private OnnxClassifier(InferenceSession session, long[] imageShape, int classes)
    {
        _session = session;
        _imageShape = imageShape;
        Classes = classes;
        // Models exported before the embedding output have none: they serve, and their predictions log no embedding.
        EmbeddingLength = session.OutputMetadata.TryGetValue(OnnxExporter.EmbeddingName, out var embedding) ? embedding.Dimensions[^1] : 0;
        _outputNames = EmbeddingLength > 0 ? [OnnxExporter.ProbabilitiesName, OnnxExporter.EmbeddingName] : [OnnxExporter.ProbabilitiesName];
    }

    /// <summary>Number of classes (probabilities per image).</summary>
    public int Classes { get; }

    /// <summary>Values of the last hidden layer per image; 0 when the model does not expose it.</summary>
    public int EmbeddingLength { get; }

    /// <summary>Floats of one preprocessed image.</summary>
    public int ImageLength => (int)_imageShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Opens the ONNX file of <paramref name="model"/>, described by <paramref name="metadata"/>, with <paramref name="threads"/> intra-op threads.</summary>
    /// <exception cref="ModelStoreException">The model has no ONNX export, or its signature no image input.</exception>
    public static OnnxClassifier Load(StoredModel model, ClassifierMetadata metadata, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        var input = metadata.Signature.Inputs.SingleOrDefault(i => i.Name == OnnxExporter.InputName)
            ?? throw new ModelStoreException($"model '{model.Tag}': its signature has no '{OnnxExporter.InputName}' input");
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        var session = new InferenceSession(model.PathOf(OnnxExporter.FileName), options);
        return new OnnxClassifier(session, [.. input.Shape.Skip(1)], metadata.Labels.Length);
    }

    /// <summary>
    /// Probabilities of <paramref name="count"/> images laid out one after another in <paramref name="images"/>;
    /// row-major, <see cref="Classes"/> per image.
    /// </summary>
    public float[] Predict(float[] images, int count) => Run(images, count).Probabilities;

    /// <summary>
    /// The probabilities of <see cref="Predict"/>, and the last hidden layer of each image (row-major,
    /// <see cref="EmbeddingLength"/> per image) when the model exposes it.
    /// </summary>
    public ClassifierOutput Run(float[] images, int count)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNotEqual(images.Length, count * ImageLength);
        using var input = OrtValue.CreateTensorValueFromMemory(images, [count, .. _imageShape]);
        using var outputs = _session.Run(_runOptions, _inputNames, [input], _outputNames);
        return new ClassifierOutput(outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs.Count > 1 ? outputs[1].GetTensorDataAsSpan<float>().ToArray() : null);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}

/// <summary>What one forward pass over a batch gives.</summary>
/// <param name="Probabilities">Every image's class probabilities, row-major.</param>
/// <param name="Embeddings">Every image's last hidden layer, row-major; null when the model does not expose it.</param>
public sealed record ClassifierOutput(float[] Probabilities, float[]? Embeddings);
