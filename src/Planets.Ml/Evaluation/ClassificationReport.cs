using Microsoft.ML;
using Microsoft.ML.Data;

namespace Planets.Ml.Evaluation;

/// <summary>Multiclass metrics as computed by ML.NET's evaluator.</summary>
/// <param name="Accuracy">Micro accuracy (share of correct predictions).</param>
/// <param name="MacroPrecision">Unweighted mean of per-class precision.</param>
/// <param name="MacroRecall">Unweighted mean of per-class recall.</param>
/// <param name="MacroF1">Unweighted mean of per-class F1 (0 for a class with precision and recall 0).</param>
/// <param name="ConfusionCounts">Counts, row = true class, column = predicted class.</param>
internal sealed record ClassificationReport(
    double Accuracy, double MacroPrecision, double MacroRecall, double MacroF1, double[][] ConfusionCounts)
{
    /// <summary>
    /// Evaluates scored predictions with <c>MLContext.MulticlassClassification.Evaluate</c>.
    /// </summary>
    /// <param name="labels">True class per sample, 0-based.</param>
    /// <param name="probabilities">Per sample, one probability per class.</param>
    /// <param name="classCount">Number of classes.</param>
    public static ClassificationReport Compute(IReadOnlyList<int> labels, IReadOnlyList<float[]> probabilities, int classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        var ml = new MLContext(seed: 0);
        var rows = labels.Select((label, i) => new ScoredRow
        {
            // A numeric label is read as the 0-based class index (a key-typed one was read off by one).
            Label = label,
            Score = probabilities[i],
            PredictedLabel = (uint)ArgMax(probabilities[i]) + 1,
        });
        var data = ml.Data.LoadFromEnumerable(rows, Schema(classCount));
        var metrics = ml.MulticlassClassification.Evaluate(data, nameof(ScoredRow.Label), nameof(ScoredRow.Score), nameof(ScoredRow.PredictedLabel));
        var matrix = metrics.ConfusionMatrix;
        var f1 = matrix.PerClassPrecision.Zip(matrix.PerClassRecall, (p, r) => p + r > 0 ? 2 * p * r / (p + r) : 0).ToArray();
        return new ClassificationReport(
            metrics.MicroAccuracy,
            matrix.PerClassPrecision.Average(),
            matrix.PerClassRecall.Average(),
            f1.Average(),
            matrix.Counts.Select(row => row.ToArray()).ToArray());
    }

    /// <summary>Index of the largest value (the first one on ties, as torch's argmax).</summary>
    internal static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    // The class count is only known at run time, so the key and vector sizes go in a schema
    // definition instead of [KeyType]/[VectorType] attributes.
    private static SchemaDefinition Schema(int classCount)
    {
        var schema = SchemaDefinition.Create(typeof(ScoredRow));
        var key = new KeyDataViewType(typeof(uint), classCount);
        schema[nameof(ScoredRow.PredictedLabel)].ColumnType = key;
        schema[nameof(ScoredRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classCount);
        return schema;
    }

    /// <summary>One scored sample as ML.NET reads it.</summary>
    private sealed class ScoredRow
    {
        public float Label { get; set; }

        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }
}
