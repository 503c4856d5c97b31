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
    /// Glorot-uniform weights and zero biases, Keras' defaults. The reference numbers were obtained
    /// with them; PyTorch's default (Kaiming-uniform with a=sqrt(5), non-zero biases) starts smaller.
    /// </summary>
    public void InitializeLikeKeras()
    {
        using var noGrad = torch.no_grad();
        foreach (var layer in new Module[] { conv, dense, output })
        {
            var (weight, bias) = layer switch
            {
                Conv2d c => (c.weight!, c.bias!),
                Linear l => (l.weight!, l.bias!),
                _ => throw new InvalidOperationException("unexpected layer"),
            };
            init.xavier_uniform_(weight);
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
        using var convolved = conv.forward(input);
        using var activated = functional.relu(convolved);
        using var pooled = pool.forward(activated);
        using var flat = flatten.forward(pooled);
        using var hidden = dense.forward(flat);
        using var hiddenActivated = functional.relu(hidden);
        return output.forward(hiddenActivated);
    }
}
