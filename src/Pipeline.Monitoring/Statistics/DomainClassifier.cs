namespace Pipeline.Monitoring.Statistics;

/// <summary>
/// Embedding drift as Evidently's model-based test measures it: a classifier learns to tell reference embeddings from
/// current ones, and its ROC AUC on rows it did not learn from is the score. 0.5 means it cannot tell them apart
/// (no drift); 1 means it always can.
/// </summary>
public static class DomainClassifier
{
    private const int Iterations = 300;
    private const double LearningRate = 0.5;
    private const double L2 = 1e-3;

    /// <summary>The fewest rows each side needs: half of them train, half measure.</summary>
    public const int MinimumRows = 10;

    /// <summary>
    /// The ROC AUC of a logistic regression trained on half of each side's rows (chosen by <paramref name="seed"/>)
    /// and measured on the other half. Deterministic: the same rows and seed give the same score on any machine.
    /// </summary>
    /// <exception cref="ArgumentException">A side has fewer than <see cref="MinimumRows"/> rows, or rows differ in length.</exception>
    public static double RocAuc(IReadOnlyList<float[]> reference, IReadOnlyList<float[]> current, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Count < MinimumRows || current.Count < MinimumRows)
        {
            throw new ArgumentException($"embedding drift needs at least {MinimumRows} rows on each side; it has {reference.Count} and {current.Count}");
        }

        var width = reference[0].Length;
        if (reference.Concat(current).Any(row => row.Length != width))
        {
            throw new ArgumentException($"every embedding must have {width} values, as the reference's first");
        }

        var random = new Random(seed);
        var (referenceTrain, referenceTest) = Halves(reference, random);
        var (currentTrain, currentTest) = Halves(current, random);
        var scaling = Scaling.Of([.. referenceTrain, .. currentTrain], width);
        var weights = Train(scaling, referenceTrain, currentTrain, width);
        var negatives = referenceTest.Select(row => Score(weights, scaling.Apply(row))).ToList();
        var positives = currentTest.Select(row => Score(weights, scaling.Apply(row))).ToList();
        return AreaUnderCurve(negatives, positives);
    }

    private static (List<float[]> Train, List<float[]> Test) Halves(IReadOnlyList<float[]> rows, Random random)
    {
        var order = Enumerable.Range(0, rows.Count).ToArray();
        random.Shuffle(order);
        var half = rows.Count / 2;
        return ([.. order.Take(half).Select(i => rows[i])], [.. order.Skip(half).Select(i => rows[i])]);
    }

    // Full-batch gradient descent on the balanced log loss (each side weighs half, whatever its size): no order of
    // rows, no randomness, so the result is the same wherever it runs.
    private static double[] Train(Scaling scaling, List<float[]> negatives, List<float[]> positives, int width)
    {
        var weights = new double[width + 1];
        var rows = negatives.Select(r => (X: scaling.Apply(r), Y: 0d, W: 0.5 / negatives.Count))
            .Concat(positives.Select(r => (X: scaling.Apply(r), Y: 1d, W: 0.5 / positives.Count))).ToList();
        var gradient = new double[width + 1];
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            Array.Clear(gradient);
            foreach (var (x, y, w) in rows)
            {
                var error = w * (Sigmoid(Score(weights, x)) - y);
                for (var d = 0; d < width; d++)
                {
                    gradient[d] += error * x[d];
                }

                gradient[width] += error;
            }

            for (var d = 0; d <= width; d++)
            {
                weights[d] -= LearningRate * (gradient[d] + (d < width ? L2 * weights[d] : 0));
            }
        }

        return weights;
    }

    private static double Score(double[] weights, double[] x)
    {
        var sum = weights[^1];
        for (var d = 0; d < x.Length; d++)
        {
            sum += weights[d] * x[d];
        }

        return sum;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>The Mann-Whitney form of the ROC AUC: the chance a positive scores above a negative, ties counting half.</summary>
    internal static double AreaUnderCurve(IReadOnlyList<double> negatives, IReadOnlyList<double> positives)
    {
        var scored = negatives.Select(s => (Score: s, Positive: false)).Concat(positives.Select(s => (Score: s, Positive: true))).OrderBy(p => p.Score).ToList();
        double positiveRanks = 0;
        for (var i = 0; i < scored.Count;)
        {
            var j = i;
            while (j < scored.Count && scored[j].Score == scored[i].Score)
            {
                j++;
            }

            var rank = (i + 1 + j) / 2d; // the tied rows' average rank, ranks from 1
            positiveRanks += rank * scored.Skip(i).Take(j - i).Count(p => p.Positive);
            i = j;
        }

        double n1 = positives.Count, n0 = negatives.Count;
        return (positiveRanks - (n1 * (n1 + 1) / 2)) / (n1 * n0);
    }

    private sealed record Scaling(double[] Mean, double[] Scale)
    {
        public static Scaling Of(List<float[]> rows, int width)
        {
            var mean = new double[width];
            var scale = new double[width];
            for (var d = 0; d < width; d++)
            {
                var column = rows.Select(r => (double)r[d]).ToList();
                mean[d] = column.Average();
                scale[d] = Math.Max(Wasserstein.StandardDeviation(column), 1e-9);
            }

            return new Scaling(mean, scale);
        }

        public double[] Apply(float[] row) => [.. row.Select((x, d) => (x - Mean[d]) / Scale[d])];
    }
}
