namespace Planets.Ml.Training;

/// <summary>One line of <c>history.json</c>: the metrics after an epoch (Keras' history keys).</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training cross-entropy over the epoch's batches.</param>
/// <param name="Accuracy">Training accuracy over the epoch.</param>
/// <param name="ValLoss">Mean cross-entropy on the test split after the epoch.</param>
/// <param name="ValAccuracy">Accuracy on the test split after the epoch.</param>
internal sealed record EpochMetrics(int Epoch, double Loss, double Accuracy, double ValLoss, double ValAccuracy)
{
    /// <summary>The same metrics rounded to 6 decimals, so history.json diffs only on real changes.</summary>
    public EpochMetrics Rounded() =>
        new(Epoch, Math.Round(Loss, 6), Math.Round(Accuracy, 6), Math.Round(ValLoss, 6), Math.Round(ValAccuracy, 6));
}

/// <summary>Loss and accuracy of a model on one data set.</summary>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Accuracy">Share of correct arg-max predictions.</param>
internal sealed record LossAccuracy(double Loss, double Accuracy);
