using System.Text.Json.Serialization;

namespace Planets.Ml.Training;

/// <summary>
/// Everything needed to rebuild the network and read its output, saved as <c>model.json</c> beside
/// the weights so a model folder is self-contained (evaluation and serving need no params.yaml).
/// </summary>
/// <param name="InChannels">Input channels (1 = grayscale).</param>
/// <param name="ImageHeight">Input height.</param>
/// <param name="ImageWidth">Input width.</param>
/// <param name="ConvSize">Convolution filters.</param>
/// <param name="DenseSize">Hidden dense units.</param>
/// <param name="OutputClasses">Output logits.</param>
/// <param name="Labels">Class names in label order.</param>
/// <param name="Weights">File name of the weights in the model folder.</param>
internal sealed record ModelInfo(
    int InChannels,
    int ImageHeight,
    int ImageWidth,
    int ConvSize,
    int DenseSize,
    int OutputClasses,
    IReadOnlyList<string> Labels,
    string Weights = ModelInfo.WeightsFile)
{
    /// <summary>Name of the weights file.</summary>
    public const string WeightsFile = "model.pt";

    /// <summary>Name of this description's file.</summary>
    public const string InfoFile = "model.json";

    /// <summary>Side of the convolution kernel.</summary>
    public const int Kernel = 3;

    /// <summary>Side (and stride) of the max-pooling window.</summary>
    public const int Pool = 3;

    /// <summary>Whether inputs are grayscale.</summary>
    [JsonIgnore]
    public bool Grayscale => InChannels == 1;

    /// <summary>Height of the feature map after convolution and pooling.</summary>
    [JsonIgnore]
    public int PooledHeight => (ImageHeight - Kernel + 1) / Pool;

    /// <summary>Width of the feature map after convolution and pooling.</summary>
    [JsonIgnore]
    public int PooledWidth => (ImageWidth - Kernel + 1) / Pool;
}
