namespace Planets.Serving.Inference;

/// <summary>The model's answer for one image.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Probabilities">Every class's softmax probability, in the model's label order.</param>
public sealed record Prediction(string Label, IReadOnlyDictionary<string, float> Probabilities)
{
    /// <summary>The model's last hidden layer for the image, for monitoring; null when the model does not expose it.</summary>
    public float[]? Embedding { get; init; }

    /// <summary>Builds the answer from one row of probabilities.</summary>
    public static Prediction From(IReadOnlyList<string> labels, ReadOnlySpan<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var best = 0;
        // Insertion order is kept by Dictionary when nothing is removed, so the JSON lists labels in model order.
        var byLabel = new Dictionary<string, float>(labels.Count, StringComparer.Ordinal);
        for (var i = 0; i < labels.Count; i++)
        {
            byLabel[labels[i]] = probabilities[i];
            best = probabilities[i] > probabilities[best] ? i : best;
        }

        return new Prediction(labels[best], byLabel);
    }
}
