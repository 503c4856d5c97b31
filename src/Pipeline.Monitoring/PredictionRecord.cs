using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Monitoring;

/// <summary>
/// One prediction as a service logs it, or one reference row as a pipeline stage writes it: what the model saw
/// (numeric features of the input), what it answered, how sure it was, and its last hidden layer's values. Never the
/// input itself. One JSON object per line, snake_case keys.
/// </summary>
public sealed record PredictionRecord
{
    /// <summary>When the prediction was made; null for a reference row.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>The request it answered; null for a reference row.</summary>
    public string? RequestId { get; init; }

    /// <summary>The model that answered, as the model store names it (<c>name:version</c>).</summary>
    public required string Model { get; init; }

    /// <summary>The most probable class.</summary>
    public required string PredictedLabel { get; init; }

    /// <summary>The most probable class's probability.</summary>
    public required double Confidence { get; init; }

    /// <summary>The entropy of the class probabilities, in nats: 0 when the model is certain.</summary>
    public required double Entropy { get; init; }

    /// <summary>Numeric features of the input (for an image: its pixels' mean, standard deviation, minimum, maximum).</summary>
    public ImmutableSortedDictionary<string, double> Features { get; init; } = ImmutableSortedDictionary<string, double>.Empty;

    /// <summary>The model's last hidden layer for this input; null when the model exposes none.</summary>
    public ImmutableArray<float>? Embedding { get; init; }

    /// <summary>The options every record is written and read with.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The entropy of <paramref name="probabilities"/> in nats (terms of zero probability add nothing).</summary>
    public static double EntropyOf(ReadOnlySpan<float> probabilities)
    {
        var entropy = 0d;
        foreach (var p in probabilities)
        {
            entropy -= p > 0 ? p * Math.Log(p) : 0;
        }

        return entropy;
    }
}
