using System.Collections.Immutable;

namespace Planets.Models.Onnx;

/// <summary>
/// Writes the planets network as an ONNX model for ONNX Runtime. TorchSharp has no ONNX exporter; for this small
/// fixed graph, writing the protobuf by hand is a few dozen lines and keeps serving free of libtorch.
/// </summary>
/// <remarks>Field numbers are those of onnx.proto (IR version 8, default-domain opset 17).</remarks>
public static class OnnxExporter
{
    /// <summary>The stored file name of the exported model.</summary>
    public const string FileName = "model.onnx";

    /// <summary>Name of the input tensor: a batch of preprocessed images, N x C x H x W.</summary>
    public const string InputName = "image";

    /// <summary>Name of the logits output, N x classes.</summary>
    public const string LogitsName = "logits";

    /// <summary>Name of the softmax output, N x classes.</summary>
    public const string ProbabilitiesName = "probabilities";

    /// <summary>Name of the last hidden layer's output (after its ReLU), N x dense size: what monitoring compares between inputs.</summary>
    public const string EmbeddingName = "embedding";

    private const long IrVersion = 8;
    private const long OpsetVersion = 17;
    private const int FloatType = 1;
    private const int AttributeInt = 2;
    private const int AttributeInts = 7;

    /// <summary>The model's input and output tensors, for the model store.</summary>
    public static ModelSignature Signature(ConvNetWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var input = new TensorSpec(InputName, "float32", [-1, weights.InChannels, weights.Height, weights.Width]);
        return new ModelSignature(
            [input],
            [
                new TensorSpec(LogitsName, "float32", [-1, weights.Classes]),
                new TensorSpec(ProbabilitiesName, "float32", [-1, weights.Classes]),
                new TensorSpec(EmbeddingName, "float32", [-1, weights.DenseSize]),
            ]);
    }

    /// <summary>The serialized ONNX model (same weights, same bytes).</summary>
    public static byte[] Export(ConvNetWeights weights, string producerVersion)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var graph = new ProtoWriter().String(2, "planets");
        foreach (var node in Nodes())
        {
            graph.Message(1, node);
        }

        foreach (var initializer in Initializers(weights))
        {
            graph.Message(5, initializer);
        }

        graph.Message(11, ValueInfo(InputName, "batch", weights.InChannels, weights.Height, weights.Width));
        graph.Message(12, ValueInfo(LogitsName, "batch", weights.Classes));
        graph.Message(12, ValueInfo(ProbabilitiesName, "batch", weights.Classes));
        graph.Message(12, ValueInfo(EmbeddingName, "batch", weights.DenseSize));
        return new ProtoWriter()
            .Int(1, IrVersion)
            .String(2, "Planets.Models")
            .String(3, producerVersion)
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, string.Empty).Int(2, OpsetVersion))
            .ToArray();
    }

    private static IEnumerable<ProtoWriter> Nodes()
    {
        const int k = ConvNetWeights.Kernel, p = ConvNetWeights.Pool;
        yield return Node("Conv", [InputName, "conv.weight", "conv.bias"], "conv", Ints("kernel_shape", k, k), Ints("strides", 1, 1), Ints("pads", 0, 0, 0, 0));
        yield return Node("Relu", ["conv"], "conv_relu");
        yield return Node("MaxPool", ["conv_relu"], "pool", Ints("kernel_shape", p, p), Ints("strides", p, p));
        yield return Node("Flatten", ["pool"], "flat", Int("axis", 1));
        yield return Node("Gemm", ["flat", "dense.weight", "dense.bias"], "dense", Int("transB", 1));
        yield return Node("Relu", ["dense"], EmbeddingName);
        yield return Node("Gemm", [EmbeddingName, "output.weight", "output.bias"], LogitsName, Int("transB", 1));
        yield return Node("Softmax", [LogitsName], ProbabilitiesName, Int("axis", 1));
    }

    private static ProtoWriter Node(string opType, string[] inputs, string output, params ProtoWriter[] attributes)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output).String(3, output).String(4, opType);
        foreach (var attribute in attributes)
        {
            node.Message(5, attribute);
        }

        return node;
    }

    private static ProtoWriter Int(string name, long value) =>
        new ProtoWriter().String(1, name).Int(3, value).Int(20, AttributeInt);

    private static ProtoWriter Ints(string name, params long[] values) =>
        new ProtoWriter().String(1, name).PackedInts(8, values).Int(20, AttributeInts);

    private static IEnumerable<ProtoWriter> Initializers(ConvNetWeights w)
    {
        yield return Tensor("conv.weight", w.ConvWeight, w.ConvSize, w.InChannels, ConvNetWeights.Kernel, ConvNetWeights.Kernel);
        yield return Tensor("conv.bias", w.ConvBias, w.ConvSize);
        yield return Tensor("dense.weight", w.DenseWeight, w.DenseSize, w.Flattened);
        yield return Tensor("dense.bias", w.DenseBias, w.DenseSize);
        yield return Tensor("output.weight", w.OutputWeight, w.Classes, w.DenseSize);
        yield return Tensor("output.bias", w.OutputBias, w.Classes);
    }

    private static ProtoWriter Tensor(string name, ReadOnlyMemory<float> values, params long[] dims)
    {
        var expected = dims.Aggregate(1L, (a, b) => a * b);
        if (values.Length != expected)
        {
            throw new ArgumentException($"{name} has {values.Length} values, its shape [{string.Join(", ", dims)}] needs {expected}");
        }

        return new ProtoWriter()
            .PackedInts(1, dims)
            .Int(2, FloatType)
            .String(8, name)
            .Bytes(9, ProtoWriter.LittleEndian(values.Span));
    }

    private static ProtoWriter ValueInfo(string name, string batchDimension, params long[] dims)
    {
        var shape = new ProtoWriter().Message(1, new ProtoWriter().String(2, batchDimension));
        foreach (var dim in dims)
        {
            shape.Message(1, new ProtoWriter().Int(1, dim));
        }

        var tensorType = new ProtoWriter().Int(1, FloatType).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }

    /// <summary>The shape of the signature's input for a batch of <paramref name="batch"/> images.</summary>
    internal static ImmutableArray<long> InputShape(ModelSignature signature, int batch) =>
        [batch, .. signature.Inputs[0].Shape.Skip(1)];
}
