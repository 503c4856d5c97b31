using System.Collections.Immutable;

namespace Pipeline.Monitoring.Tests;

public sealed class DriftAnalysisTests
{
    [Fact]
    public void Records_of_the_references_distribution_show_no_drift()
    {
        var random = new Random(11);
        var reference = Records(random, 400, brightness: 0.5, labels: ["Mars", "Venus"]);
        var current = Records(random, 300, brightness: 0.5, labels: ["Mars", "Venus"]);

        var result = DriftAnalysis.Compare(reference, current, new DriftSettings());

        Assert.False(result.AnyDrift);
        Assert.Equal(["confidence", "entropy", "image_mean", "predicted_label"], result.Columns.Select(c => c.Column));
        Assert.All(result.Columns, c => Assert.False(c.Drifted, $"{c.Column}: {c.Score}"));
        Assert.False(result.Embedding!.Drifted);
        Assert.Equal(["image_min: constant in the reference, so no scale to measure a change by"], result.Skipped.ToArray());
    }

    [Fact]
    public void Brighter_images_of_other_classes_drift_by_each_test()
    {
        var random = new Random(11);
        var reference = Records(random, 400, brightness: 0.5, labels: ["Mars", "Venus"]);
        var current = Records(random, 300, brightness: 0.8, labels: ["Pluto", "Venus"]);

        var result = DriftAnalysis.Compare(reference, current, new DriftSettings());

        var mean = result.Columns.Single(c => c.Column == "image_mean");
        Assert.Equal(("wasserstein", 0.3), (mean.Test, mean.Threshold));
        Assert.InRange(mean.Score, 2.5, 3.5); // a shift of 0.3 against a standard deviation of 0.1
        Assert.True(result.Columns.Single(c => c.Column == "predicted_label").Drifted);
        Assert.True(result.Embedding!.Drifted);
        Assert.True(result.DatasetDrift);
        Assert.Equal(0.5, result.DriftedShare);
    }

    [Fact]
    public void The_share_of_drifted_columns_decides_at_the_settings_threshold()
    {
        var random = new Random(3);
        var reference = Records(random, 200, brightness: 0.5, labels: ["Mars"]);
        var current = Records(random, 200, brightness: 0.9, labels: ["Mars"]);

        var strict = DriftAnalysis.Compare(reference, current, new DriftSettings { DriftShare = 0.25 });
        var lenient = DriftAnalysis.Compare(reference, current, new DriftSettings { DriftShare = 0.9 });

        Assert.Equal(0.25, strict.DriftedShare);
        Assert.True(strict.DatasetDrift);
        Assert.False(lenient.DatasetDrift);
    }

    [Fact]
    public void No_records_on_a_side_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => DriftAnalysis.Compare([PredictionLogTests.Record(1)], [], new DriftSettings()));

        Assert.Equal("drift needs records on both sides; the reference has 1, the current data 0", error.Message);
    }

    // Images whose mean pixel is around brightness (standard deviation 0.1); confidence and entropy from one model;
    // embeddings that move with brightness, as a network's hidden layer does.
    private static List<PredictionRecord> Records(Random random, int count, double brightness, string[] labels) =>
    [
        .. Enumerable.Range(0, count).Select(i =>
        {
            var mean = brightness + (0.1 * StatisticsTests.Normal(random));
            return new PredictionRecord
            {
                Model = "planets:1",
                PredictedLabel = labels[i % labels.Length],
                Confidence = 0.7 + (0.05 * StatisticsTests.Normal(random)),
                Entropy = 0.9 + (0.1 * StatisticsTests.Normal(random)),
                Features = ImmutableSortedDictionary<string, double>.Empty.Add("image_mean", mean).Add("image_min", 0),
                Embedding = [.. Enumerable.Range(0, 8).Select(d => (float)((d % 2 == 0 ? mean * 4 : 0) + StatisticsTests.Normal(random)))],
            };
        }),
    ];
}
