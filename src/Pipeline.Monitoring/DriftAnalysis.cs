using System.Globalization;
using System.Collections.Immutable;
using Pipeline.Monitoring.Statistics;

namespace Pipeline.Monitoring;

/// <summary>The tests' thresholds, as Evidently's data drift preset takes them (the reference guide's values by default).</summary>
public sealed record DriftSettings
{
    /// <summary>A numeric feature drifted when its normed Wasserstein distance is at least this.</summary>
    public double NumericThreshold { get; init; } = 0.3;

    /// <summary>The predicted label drifted when the Jensen-Shannon distance of its shares is at least this.</summary>
    public double LabelThreshold { get; init; } = 0.1;

    /// <summary>The data drifted when at least this share of the features and the label drifted.</summary>
    public double DriftShare { get; init; } = 0.5;

    /// <summary>The embeddings drifted when a classifier tells them from the reference's with at least this ROC AUC.</summary>
    public double EmbeddingThreshold { get; init; } = 0.7;
}

/// <summary>One column's drift test.</summary>
/// <param name="Column">The feature (<c>confidence</c>, <c>entropy</c>, <c>image_mean</c>, …), <c>predicted_label</c> or <c>embedding</c>.</param>
/// <param name="Test">The test: <c>wasserstein</c> (normed), <c>jensenshannon</c> or <c>classifier</c> (ROC AUC).</param>
/// <param name="Score">Its score.</param>
/// <param name="Threshold">The score from which the column counts as drifted.</param>
public sealed record ColumnDrift(string Column, string Test, double Score, double Threshold)
{
    /// <summary>Whether the score reached the threshold.</summary>
    public bool Drifted => Score >= Threshold;
}

/// <summary>The current records against the reference: each column's test and the verdict.</summary>
/// <param name="ReferenceRows">Reference records compared.</param>
/// <param name="CurrentRows">Current records compared.</param>
/// <param name="Columns">The features' and the label's tests; their drifted share decides <see cref="DatasetDrift"/>.</param>
/// <param name="Embedding">The embeddings' test; null when the records carry none.</param>
/// <param name="Skipped">Columns not tested, and why (constant in the reference, missing on one side).</param>
/// <param name="Settings">The thresholds used.</param>
public sealed record DriftResult(
    int ReferenceRows, int CurrentRows, ImmutableArray<ColumnDrift> Columns, ColumnDrift? Embedding, ImmutableArray<string> Skipped, DriftSettings Settings)
{
    /// <summary>The share of <see cref="Columns"/> that drifted.</summary>
    public double DriftedShare => Columns.IsEmpty ? 0 : (double)Columns.Count(c => c.Drifted) / Columns.Length;

    /// <summary>Whether the data drifted: the drifted share reached <see cref="DriftSettings.DriftShare"/>.</summary>
    public bool DatasetDrift => !Columns.IsEmpty && DriftedShare >= Settings.DriftShare;

    /// <summary>Whether anything calls for a look: the data or the embeddings drifted.</summary>
    public bool AnyDrift => DatasetDrift || Embedding?.Drifted == true;

    /// <summary>
    /// The verdict in one line: drift or not, the drifted share against its threshold, the drifted columns' scores
    /// and the embeddings' test.
    /// </summary>
    public string Summary()
    {
        var drifted = Columns.Where(c => c.Drifted).Select(Describe).ToList();
        var share = string.Create(CultureInfo.InvariantCulture,
            $"{drifted.Count} of {Columns.Length} columns drifted (share {DriftedShare:0.##} {(DatasetDrift ? ">=" : "<")} {Settings.DriftShare:0.##})");
        var columns = drifted.Count == 0 ? "" : $": {string.Join(", ", drifted)}";
        var embedding = Embedding is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $"; embedding ROC AUC {Embedding.Score:0.###} ({(Embedding.Drifted ? ">=" : "<")} {Embedding.Threshold:0.##})");
        return $"{(AnyDrift ? "drift" : "no drift")}: {share}{columns}{embedding}; {CurrentRows} records against {ReferenceRows} reference rows";
    }

    private static string Describe(ColumnDrift column) => string.Create(CultureInfo.InvariantCulture, $"{column.Column} {column.Score:0.###}");
}

/// <summary>
/// Compares current prediction records with reference ones as Evidently's data drift preset does: each numeric column
/// (confidence, entropy, every feature) by the Wasserstein distance normed by the reference's standard deviation, the
/// predicted label by the Jensen-Shannon distance of the classes' shares, and the embeddings by a domain classifier.
/// </summary>
public static class DriftAnalysis
{
    /// <summary>The drift of <paramref name="current"/> from <paramref name="reference"/>.</summary>
    /// <exception cref="ArgumentException">Either side has no records.</exception>
    public static DriftResult Compare(IReadOnlyList<PredictionRecord> reference, IReadOnlyList<PredictionRecord> current, DriftSettings settings)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(settings);
        if (reference.Count == 0 || current.Count == 0)
        {
            throw new ArgumentException($"drift needs records on both sides; the reference has {reference.Count}, the current data {current.Count}");
        }

        var columns = new List<ColumnDrift>();
        var skipped = new List<string>();
        foreach (var name in NumericColumns(reference))
        {
            var before = Values(reference, name);
            var after = Values(current, name);
            if (after.Count == 0)
            {
                skipped.Add($"{name}: not in the current records");
            }
            else if (Wasserstein.StandardDeviation(before) == 0)
            {
                skipped.Add($"{name}: constant in the reference, so no scale to measure a change by");
            }
            else
            {
                columns.Add(new ColumnDrift(name, "wasserstein", Wasserstein.NormedDistance(before, after), settings.NumericThreshold));
            }
        }

        columns.Add(new ColumnDrift(
            "predicted_label", "jensenshannon", JensenShannon.CategoryDistance(reference.Select(r => r.PredictedLabel), current.Select(r => r.PredictedLabel)), settings.LabelThreshold));
        return new DriftResult(reference.Count, current.Count, [.. columns], EmbeddingDrift(reference, current, settings, skipped), [.. skipped], settings);
    }

    private static IEnumerable<string> NumericColumns(IReadOnlyList<PredictionRecord> records) =>
        ["confidence", "entropy", .. records.SelectMany(r => r.Features.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static List<double> Values(IReadOnlyList<PredictionRecord> records, string column) => column switch
    {
        "confidence" => [.. records.Select(r => r.Confidence)],
        "entropy" => [.. records.Select(r => r.Entropy)],
        _ => [.. records.Select(r => r.Features.TryGetValue(column, out var value) ? value : (double?)null).OfType<double>()],
    };

    private static ColumnDrift? EmbeddingDrift(IReadOnlyList<PredictionRecord> reference, IReadOnlyList<PredictionRecord> current, DriftSettings settings, List<string> skipped)
    {
        var before = reference.Where(r => r.Embedding is not null).Select(r => r.Embedding!.Value.ToArray()).ToList();
        var after = current.Where(r => r.Embedding is not null).Select(r => r.Embedding!.Value.ToArray()).ToList();
        if (before.Count == 0 && after.Count == 0)
        {
            return null;
        }

        if (before.Count < DomainClassifier.MinimumRows || after.Count < DomainClassifier.MinimumRows)
        {
            skipped.Add($"embedding: {before.Count} reference and {after.Count} current embeddings, and the test needs {DomainClassifier.MinimumRows} on each side");
            return null;
        }

        return new ColumnDrift("embedding", "classifier", DomainClassifier.RocAuc(before, after), settings.EmbeddingThreshold);
    }
}
