namespace Planets.Ml.Evaluation;

/// <summary>
/// The content of <c>metrics.json</c>. Property order is the key order in the file; values are
/// rounded to 4 decimals (the reference's precision) so platform-level float noise never shows as a diff.
/// </summary>
/// <param name="ValLoss">Mean cross-entropy on the test split.</param>
/// <param name="ValAcc">Accuracy on the test split.</param>
/// <param name="Precision">Macro precision (ML.NET).</param>
/// <param name="Recall">Macro recall (ML.NET).</param>
/// <param name="F1">Macro F1 (from ML.NET's per-class precision and recall).</param>
internal sealed record EvaluationMetrics(double ValLoss, double ValAcc, double Precision, double Recall, double F1)
{
    private const int Decimals = 4;

    /// <summary>Rounds every value for the file.</summary>
    public EvaluationMetrics Rounded() => new(
        Math.Round(ValLoss, Decimals),
        Math.Round(ValAcc, Decimals),
        Math.Round(Precision, Decimals),
        Math.Round(Recall, Decimals),
        Math.Round(F1, Decimals));
}
