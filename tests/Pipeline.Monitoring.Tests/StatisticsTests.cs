using Pipeline.Monitoring.Statistics;

namespace Pipeline.Monitoring.Tests;

// Expected values are scipy's and scikit-learn's documented examples: the drift tests must agree with the tools
// whose thresholds the reference guide chose.
public sealed class StatisticsTests
{
    [Fact]
    public void The_wasserstein_distance_matches_scipys_examples()
    {
        Assert.Equal(5.0, Wasserstein.Distance([0, 1, 3], [5, 6, 8]), 12);
        Assert.Equal(0.25, Wasserstein.Distance([0, 1], [3, 1], [0, 1], [2, 2]), 12);
        Assert.Equal(4.0781331438047861, Wasserstein.Distance([3.4, 3.9, 7.5, 7.8], [1.4, 0.9, 3.1, 7.2], [4.5, 1.4], [3.2, 3.5]), 12);
    }

    [Fact]
    public void The_normed_distance_divides_by_the_references_population_standard_deviation()
    {
        double[] reference = [1, 2, 3, 4];
        double[] shifted = [2, 3, 4, 5];

        Assert.Equal(Math.Sqrt(1.25), Wasserstein.StandardDeviation(reference), 12);
        Assert.Equal(1 / Math.Sqrt(1.25), Wasserstein.NormedDistance(reference, shifted), 12);
        Assert.Equal(0, Wasserstein.NormedDistance(reference, [4, 3, 2, 1]), 12);
    }

    [Fact]
    public void The_jensen_shannon_distance_matches_scipys_examples()
    {
        Assert.Equal(1.0, JensenShannon.Distance([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], 2.0), 12);
        Assert.Equal(0.46450140402245893, JensenShannon.Distance([1.0, 0.0], [0.5, 0.5]), 12);
        Assert.Equal(0.0, JensenShannon.Distance([1.0, 0.0, 0.0], [1.0, 0.0, 0.0]), 12);
    }

    [Fact]
    public void Categories_compare_by_their_shares_with_every_category_of_either_side()
    {
        // Shares [1/2, 1/2, 0] against [0, 1/2, 1/2]; unnormalised counts give the same distance.
        var byCategory = JensenShannon.CategoryDistance(["Mars", "Venus"], ["Venus", "Pluto", "Pluto", "Venus"]);

        Assert.Equal(JensenShannon.Distance([0, 1, 1], [2, 0, 2]), byCategory, 12);
        Assert.Equal(0, JensenShannon.CategoryDistance(["Mars", "Venus"], ["Venus", "Mars", "Mars", "Venus"]), 12);
    }

    [Fact]
    public void The_area_under_the_curve_matches_scikit_learns_example_and_counts_ties_half()
    {
        Assert.Equal(0.75, DomainClassifier.AreaUnderCurve([0.1, 0.4], [0.35, 0.8]), 12);
        Assert.Equal(0.5, DomainClassifier.AreaUnderCurve([1, 1], [1, 1]), 12);
    }

    [Fact]
    public void A_classifier_cannot_tell_samples_of_one_distribution_apart_and_tells_shifted_ones()
    {
        var random = new Random(7);
        var reference = Embeddings(random, 200, shift: 0);
        var same = Embeddings(random, 200, shift: 0);
        var shifted = Embeddings(random, 200, shift: 1);

        var none = DomainClassifier.RocAuc(reference, same);
        var drift = DomainClassifier.RocAuc(reference, shifted);

        Assert.InRange(none, 0.35, 0.65);
        Assert.InRange(drift, 0.9, 1);
        Assert.Equal(drift, DomainClassifier.RocAuc(reference, shifted));
    }

    [Fact]
    public void Bad_samples_are_refused_with_what_is_expected()
    {
        Assert.Throws<ArgumentException>(() => Wasserstein.Distance([], [1]));
        Assert.Throws<ArgumentException>(() => Wasserstein.Distance([double.NaN], [1]));
        Assert.Throws<ArgumentException>(() => JensenShannon.Distance([1, 0], [1]));
        var error = Assert.Throws<ArgumentException>(() => DomainClassifier.RocAuc([[1f]], [[2f]]));
        Assert.StartsWith("embedding drift needs at least 10 rows on each side; it has 1 and 1", error.Message, StringComparison.Ordinal);
    }

    // Rows of 8 values around 0 with standard deviation 1; shift moves every value's mean.
    internal static List<float[]> Embeddings(Random random, int rows, double shift) =>
        [.. Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)(Normal(random) + shift)).ToArray())];

    internal static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
