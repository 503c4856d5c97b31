using System.Text.Json.Serialization;

namespace Planets.Models.Preprocessing;

/// <summary>How an image becomes a model input; the same values at prepare and at serve time.</summary>
/// <param name="Width">Output width in pixels.</param>
/// <param name="Height">Output height in pixels.</param>
/// <param name="Grayscale">One luma channel when true, else three RGB channels.</param>
public sealed record PreprocessOptions(int Width, int Height, bool Grayscale)
{
    /// <summary>Number of channels of the output: 1 for grayscale, else 3.</summary>
    [JsonIgnore]
    public int Channels => Grayscale ? 1 : 3;

    /// <summary>Number of floats of one preprocessed image (channels x height x width).</summary>
    [JsonIgnore]
    public int Length => Channels * Height * Width;
}
