namespace Planets.Models.Onnx;

/// <summary>
/// The shape and trained parameters of the planets network (Conv2d 3x3 -> ReLU -> MaxPool 3x3 -> Flatten -> Linear
/// -> ReLU -> Linear), in PyTorch's layouts: convolution weight K x C x 3 x 3, linear weights out x in.
/// </summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="Height">Input height.</param>
/// <param name="Width">Input width.</param>
/// <param name="ConvSize">Convolution filters (K).</param>
/// <param name="DenseSize">Hidden units.</param>
/// <param name="Classes">Output logits.</param>
/// <param name="ConvWeight">Convolution kernels.</param>
/// <param name="ConvBias">Convolution biases.</param>
/// <param name="DenseWeight">Hidden layer weights.</param>
/// <param name="DenseBias">Hidden layer biases.</param>
/// <param name="OutputWeight">Output layer weights.</param>
/// <param name="OutputBias">Output layer biases.</param>
public sealed record ConvNetWeights(
    int InChannels,
    int Height,
    int Width,
    int ConvSize,
    int DenseSize,
    int Classes,
    ReadOnlyMemory<float> ConvWeight,
    ReadOnlyMemory<float> ConvBias,
    ReadOnlyMemory<float> DenseWeight,
    ReadOnlyMemory<float> DenseBias,
    ReadOnlyMemory<float> OutputWeight,
    ReadOnlyMemory<float> OutputBias)
{
    /// <summary>Side of the convolution kernel.</summary>
    public const int Kernel = 3;

    /// <summary>Side and stride of the pooling window.</summary>
    public const int Pool = 3;

    /// <summary>Inputs of the hidden layer: K x pooled height x pooled width.</summary>
    public int Flattened => ConvSize * ((Height - Kernel + 1) / Pool) * ((Width - Kernel + 1) / Pool);
}
