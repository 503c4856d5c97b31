using Planets.Ml.Cli;
using Planets.Ml.Commands;
using Planets.Ml.Common;

namespace Planets.Ml.Data;

/// <summary>The contents of a prepared folder: train and test sets and the class names.</summary>
/// <param name="Train">The training set.</param>
/// <param name="Test">The held-out test set.</param>
/// <param name="Labels">Class names in label order.</param>
internal sealed record PreparedData(PreparedSet Train, PreparedSet Test, IReadOnlyList<string> Labels)
{
    /// <summary>Reads and cross-checks the folder written by <c>prepare</c>.</summary>
    public static async Task<PreparedData> LoadAsync(string preparedDir, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(preparedDir))
        {
            throw new UserErrorException($"{preparedDir}: prepared data folder not found (run prepare first)");
        }

        var train = await PreparedSet.ReadAsync(Path.Combine(preparedDir, "train.bin"), cancellationToken).ConfigureAwait(false);
        var test = await PreparedSet.ReadAsync(Path.Combine(preparedDir, "test.bin"), cancellationToken).ConfigureAwait(false);
        var labelsPath = Path.Combine(preparedDir, PrepareCommand.LabelsFile);
        var labels = await Json.ReadAsync<string[]>(labelsPath, cancellationToken).ConfigureAwait(false);
        if ((train.Channels, train.Height, train.Width, train.ClassCount) != (test.Channels, test.Height, test.Width, test.ClassCount))
        {
            throw new UserErrorException($"{preparedDir}: train.bin and test.bin have different image shapes or class counts (re-run prepare)");
        }

        if (labels.Length != train.ClassCount)
        {
            throw new UserErrorException($"{labelsPath}: lists {labels.Length} classes but train.bin has {train.ClassCount} (re-run prepare)");
        }

        return new PreparedData(train, test, labels);
    }
}
