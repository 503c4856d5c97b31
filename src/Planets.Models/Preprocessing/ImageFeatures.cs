using System.Collections.Immutable;

namespace Planets.Models.Preprocessing;

/// <summary>
/// The numeric features monitoring compares of an image as the model sees it (preprocessed): its values' mean,
/// standard deviation, minimum and maximum. The service logs them per prediction; the reference is made of the same
/// features of the training data, so both sides are measured alike.
/// </summary>
public static class ImageFeatures
{
    /// <summary>The features of one preprocessed image, keyed <c>image_mean</c>, <c>image_std</c>, <c>image_min</c>, <c>image_max</c>.</summary>
    /// <exception cref="ArgumentException">The image has no values.</exception>
    public static ImmutableSortedDictionary<string, double> Of(ReadOnlySpan<float> pixels)
    {
        if (pixels.IsEmpty)
        {
            throw new ArgumentException("an image has at least one value", nameof(pixels));
        }

        double sum = 0, min = double.MaxValue, max = double.MinValue;
        foreach (var value in pixels)
        {
            sum += value;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        var mean = sum / pixels.Length;
        double squares = 0;
        foreach (var value in pixels)
        {
            squares += (value - mean) * (value - mean);
        }

        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
        [
            KeyValuePair.Create("image_mean", mean),
            KeyValuePair.Create("image_std", Math.Sqrt(squares / pixels.Length)),
            KeyValuePair.Create("image_min", min),
            KeyValuePair.Create("image_max", max),
        ]);
    }
}
