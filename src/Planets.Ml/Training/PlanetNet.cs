using Planets.Models.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Planets.Ml.Training;

/// <summary>
/// The reference model: Conv2d(3x3) -> ReLU -> MaxPool(3x3) -> Flatten -> Linear -> ReLU -> Linear (logits).
/// </summary>
internal sealed class PlanetNet : Module<Tensor, Tensor>
{
    // Field names are the state-dict keys in model.pt; renaming them breaks saved models.
    private readonly Conv2d conv;
    private readonly MaxPool2d pool;
    private readonly Flatten flatten;
    private readonly Linear dense;
    private readonly Linear output;

    /// <summary>Builds the layers for the shape in <paramref name="info"/>.</summary>
    public PlanetNet(ModelInfo info)
        : base(nameof(PlanetNet))
    {
        ArgumentNullException.ThrowIfNull(info);
        conv = Conv2d(info.InChannels, info.ConvSize, ModelInfo.Kernel);
        pool = MaxPool2d(ModelInfo.Pool);
        flatten = Flatten();
        dense = Linear(info.ConvSize * info.PooledHeight * info.PooledWidth, info.DenseSize);
        output = Linear(info.DenseSize, info.OutputClasses);
        RegisterComponents();
    }

    /// <summary>
    /// He-uniform weights for the two ReLU layers, Glorot-uniform for the output layer, zero biases. Keras' default,
    /// Glorot for every layer, averages fan-in and fan-out: for a 3x3 convolution of one channel into 32 filters that
    /// is 9 and 288, so its weights start within +-0.14 instead of He's +-0.82, and at lr 0.0001 the first epochs go
    /// into growing them. Over 20 training seeds on the real data He-uniform gave mean val_acc 0.671 instead of 0.511
    /// after 5 epochs and 0.801 instead of 0.710 after 10 (docs/ml-results.md).
    /// </summary>
    public void Initialize()
    {
        using var noGrad = torch.no_grad();
        init.kaiming_uniform_(conv.weight!, 0, init.FanInOut.FanIn, init.NonlinearityType.ReLU);
        init.kaiming_uniform_(dense.weight!, 0, init.FanInOut.FanIn, init.NonlinearityType.ReLU);
        init.xavier_uniform_(output.weight!);
        foreach (var bias in new[] { conv.bias!, dense.bias!, output.bias! })
        {
            init.zeros_(bias);
        }
    }

    /// <summary>The trained parameters as plain arrays, for the ONNX export (the model must be on the CPU).</summary>
    public ConvNetWeights Weights(ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new ConvNetWeights(
            info.InChannels, info.ImageHeight, info.ImageWidth, info.ConvSize, info.DenseSize, info.OutputClasses,
            Values(conv.weight!), Values(conv.bias!), Values(dense.weight!), Values(dense.bias!), Values(output.weight!), Values(output.bias!));

        static float[] Values(Tensor tensor)
        {
            using var contiguous = tensor.detach().contiguous();
            return contiguous.data<float>().ToArray();
        }
    }

    /// <summary>Maps a batch N x C x H x W to logits N x classes.</summary>
    public override Tensor forward(Tensor input)
    {
        using var embedding = Embed(input);
        return output.forward(embedding);
    }

    /// <summary>
    /// Maps a batch N x C x H x W to the last hidden layer's activations N x dense size: what monitoring compares, and
    /// what the ONNX export names <see cref="OnnxExporter.EmbeddingName"/>.
    /// </summary>
    public Tensor Embed(Tensor input)
    {
        using var convolved = conv.forward(input);
        using var activated = functional.relu(convolved);
        using var pooled = pool.forward(activated);
        using var flat = flatten.forward(pooled);
        using var hidden = dense.forward(flat);
        return functional.relu(hidden);
    }
}
