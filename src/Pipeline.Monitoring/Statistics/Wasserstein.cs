namespace Pipeline.Monitoring.Statistics;

/// <summary>
/// The first Wasserstein (earth mover's) distance between two one-dimensional samples: the area between their
/// cumulative distribution functions, as <c>scipy.stats.wasserstein_distance</c> computes it.
/// </summary>
public static class Wasserstein
{
    /// <summary>The distance between the samples <paramref name="u"/> and <paramref name="v"/>, each value weighing the same.</summary>
    /// <exception cref="ArgumentException">A sample is empty or holds a value that is not finite.</exception>
    public static double Distance(IReadOnlyList<double> u, IReadOnlyList<double> v)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(v);
        return Distance(u, Enumerable.Repeat(1d, u.Count).ToArray(), v, Enumerable.Repeat(1d, v.Count).ToArray());
    }

    /// <summary>The distance between the weighted samples (<paramref name="u"/>, <paramref name="uWeights"/>) and (<paramref name="v"/>, <paramref name="vWeights"/>).</summary>
    /// <exception cref="ArgumentException">A sample is empty, its weights do not match it, or a value is not finite.</exception>
    public static double Distance(IReadOnlyList<double> u, IReadOnlyList<double> uWeights, IReadOnlyList<double> v, IReadOnlyList<double> vWeights)
    {
        var a = Sorted(u, uWeights, nameof(u));
        var b = Sorted(v, vWeights, nameof(v));
        var values = a.Select(p => p.Value).Concat(b.Select(p => p.Value)).Order().ToArray();
        double aTotal = a.Sum(p => p.Weight), bTotal = b.Sum(p => p.Weight);
        double aMass = 0, bMass = 0, distance = 0;
        int i = 0, j = 0;
        // Between consecutive values both CDFs are flat: each step adds |F_u - F_v| times the step's width.
        for (var k = 0; k < values.Length - 1; k++)
        {
            while (i < a.Length && a[i].Value <= values[k])
            {
                aMass += a[i++].Weight;
            }

            while (j < b.Length && b[j].Value <= values[k])
            {
                bMass += b[j++].Weight;
            }

            distance += Math.Abs((aMass / aTotal) - (bMass / bTotal)) * (values[k + 1] - values[k]);
        }

        return distance;
    }

    /// <summary>
    /// The distance divided by the reference's standard deviation (at least 0.001), as Evidently's
    /// <c>wasserstein</c> drift test does, so one threshold fits features of any scale.
    /// </summary>
    public static double NormedDistance(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Distance(reference, current) / Math.Max(StandardDeviation(reference), 0.001);
    }

    /// <summary>The population standard deviation (divided by n, as numpy's default).</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var mean = values.Average();
        return Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / values.Count);
    }

    private static (double Value, double Weight)[] Sorted(IReadOnlyList<double> values, IReadOnlyList<double> weights, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        ArgumentNullException.ThrowIfNull(weights, name);
        if (values.Count == 0 || values.Count != weights.Count)
        {
            throw new ArgumentException("a sample needs at least one value and one weight per value", name);
        }

        if (values.Any(x => !double.IsFinite(x)) || weights.Any(w => !double.IsFinite(w) || w < 0) || weights.Sum() <= 0)
        {
            throw new ArgumentException("values must be finite and weights finite, non-negative and not all zero", name);
        }

        return [.. values.Zip(weights).OrderBy(p => p.First).Select(p => (p.First, p.Second))];
    }
}
