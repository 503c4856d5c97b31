namespace Pipeline.Monitoring.Statistics;

/// <summary>
/// The Jensen-Shannon distance between two discrete distributions (the square root of the divergence), as
/// <c>scipy.spatial.distance.jensenshannon</c> computes it: 0 for equal distributions, at most 1 in base 2
/// (sqrt(ln 2) in the natural base, Evidently's).
/// </summary>
public static class JensenShannon
{
    /// <summary>The distance between <paramref name="p"/> and <paramref name="q"/>, each normalised to sum to 1, in logarithm base <paramref name="logBase"/>.</summary>
    /// <exception cref="ArgumentException">The vectors differ in length, hold a negative or non-finite value, or sum to zero.</exception>
    public static double Distance(IReadOnlyList<double> p, IReadOnlyList<double> q, double logBase = Math.E)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        if (p.Count != q.Count || p.Count == 0)
        {
            throw new ArgumentException("the distributions need the same, non-zero number of outcomes", nameof(q));
        }

        var a = Normalised(p, nameof(p));
        var b = Normalised(q, nameof(q));
        var divergence = 0d;
        for (var i = 0; i < a.Length; i++)
        {
            var m = (a[i] + b[i]) / 2;
            divergence += RelativeEntropy(a[i], m) + RelativeEntropy(b[i], m);
        }

        // Rounding can leave a tiny negative sum for equal inputs; the distance of those is 0.
        return Math.Sqrt(Math.Max(0, divergence / Math.Log(logBase) / 2));
    }

    /// <summary>
    /// The distance between the shares of each category in two samples, every category of either counted (zero where
    /// a sample has none), as Evidently compares a categorical column.
    /// </summary>
    public static double CategoryDistance(IEnumerable<string> reference, IEnumerable<string> current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var a = Counts(reference);
        var b = Counts(current);
        var categories = a.Keys.Union(b.Keys).Order(StringComparer.Ordinal).ToList();
        return Distance([.. categories.Select(c => (double)a.GetValueOrDefault(c))], [.. categories.Select(c => (double)b.GetValueOrDefault(c))]);
    }

    private static Dictionary<string, int> Counts(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    // x ln(x / y), 0 where x is 0 (scipy's rel_entr).
    private static double RelativeEntropy(double x, double y) => x == 0 ? 0 : x * Math.Log(x / y);

    private static double[] Normalised(IReadOnlyList<double> values, string name)
    {
        if (values.Any(v => v < 0 || !double.IsFinite(v)) || values.Sum() <= 0)
        {
            throw new ArgumentException("a distribution's values are finite, non-negative and not all zero", name);
        }

        var total = values.Sum();
        return [.. values.Select(v => v / total)];
    }
}
