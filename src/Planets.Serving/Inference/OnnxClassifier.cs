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
    private readonly string[] _outputNames = [OnnxExporter.ProbabilitiesName];
    private readonly long[] _imageShape;

    private OnnxClassifier(InferenceSession session, long[] imageShape, int classes)
    {
        _session = session;
        _imageShape = imageShape;
        Classes = classes;
    }

    /// <summary>Number of classes (probabilities per image).</summary>
    public int Classes { get; }

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
    public float[] Predict(float[] images, int count)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNotEqual(images.Length, count * ImageLength);
        using var input = OrtValue.CreateTensorValueFromMemory(images, [count, .. _imageShape]);
        using var outputs = _session.Run(_runOptions, _inputNames, [input], _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
