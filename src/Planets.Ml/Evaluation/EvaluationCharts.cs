using System.Globalization;
using Planets.Ml.Imaging;
using Planets.Ml.Training;
using ScottPlot;

namespace Planets.Ml.Evaluation;

/// <summary>The evaluation plots, drawn with ScottPlot in the common <see cref="ChartStyle"/>.</summary>
internal static class EvaluationCharts
{
    /// <summary>The prediction preview's columns.</summary>
    public const int PreviewColumns = 6;

    /// <summary>Loss and accuracy per epoch, for training and validation, side by side.</summary>
    public static Plot[] History(IReadOnlyList<EpochMetrics> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var loss = HistoryPanel(history, "Loss", "cross-entropy loss", h => h.Loss, h => h.ValLoss);
        var accuracy = HistoryPanel(history, "Accuracy", "share of images right", h => h.Accuracy, h => h.ValAccuracy);
        accuracy.Axes.SetLimitsY(0, 1);
        loss.ShowLegend(Alignment.UpperRight);
        accuracy.ShowLegend(Alignment.LowerRight);
        return [loss, accuracy];
    }

    /// <summary>Saves <see cref="History"/> as one PNG.</summary>
    public static void SaveHistory(string path, IReadOnlyList<EpochMetrics> history) => ChartStyle.SavePng(path, 560, 420, History(history));

    /// <summary>
    /// The confusion matrix: in each cell the count and its share of the true class's images (colour by that share),
    /// each true class with its support, the overall accuracy in the title; empty cells stay blank.
    /// </summary>
    public static Plot ConfusionMatrix(double[][] counts, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(labels);
        var n = labels.Count;
        var supports = counts.Select(row => row.Sum()).ToArray();
        var shares = new double[n, n];
        for (var row = 0; row < n; row++)
        {
            for (var col = 0; col < n; col++)
            {
                shares[row, col] = supports[row] > 0 ? counts[row][col] / supports[row] : 0;
            }
        }

        var total = supports.Sum();
        var right = Enumerable.Range(0, n).Sum(i => counts[i][i]);
        var plot = ChartStyle.NewPlot(string.Create(CultureInfo.InvariantCulture,
            $"Confusion matrix: {right:0} of {total:0} test images right ({(total > 0 ? 100 * right / total : 0):0.0}%)"));
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        AddCellLabels(plot, counts, shares);
        SetClassTicks(plot, labels, supports);
        plot.XLabel("predicted class");
        plot.YLabel("true class (test images)");
        plot.HideGrid();
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        return plot;
    }

    /// <summary>Saves <see cref="ConfusionMatrix"/> as a PNG.</summary>
    public static void SaveConfusionMatrix(string path, double[][] counts, IReadOnlyList<string> labels) =>
        ChartStyle.SavePng(path, 900, 820, ConfusionMatrix(counts, labels));

    /// <summary>Test images under their predicted class and confidence; a right one marked ✓ in a solid blue border, a wrong one ✗ in a dashed vermillion one.</summary>
    public static void SavePredictionPreview(string path, IReadOnlyList<GridSection> sections) =>
        ImageGridChart.Save(path, "Predictions on test images", sections, PreviewColumns);

    /// <summary>
    /// Which test images the preview shows: the first of each class, then the mistakes made with the most confidence
    /// (the ones to look at first), at most a row of them.
    /// </summary>
    /// <param name="labels">Each test image's true class.</param>
    /// <param name="probabilities">Each test image's predicted probabilities.</param>
    /// <param name="classes">How many classes there are.</param>
    public static (int[] PerClass, int[] Mistakes) PreviewChoice(IReadOnlyList<int> labels, IReadOnlyList<float[]> probabilities, int classes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        var predicted = probabilities.Select(ClassificationReport.ArgMax).ToArray();
        var perClass = Enumerable.Range(0, classes)
            .Select(c => Enumerable.Range(0, labels.Count).FirstOrDefault(i => labels[i] == c, -1))
            .Where(i => i >= 0)
            .ToArray();
        var mistakes = Enumerable.Range(0, labels.Count)
            .Where(i => predicted[i] != labels[i])
            .OrderByDescending(i => probabilities[i][predicted[i]])
            .ThenBy(i => i)
            .Take(PreviewColumns)
            .ToArray();
        return (perClass, mistakes);
    }

    /// <summary>The tile of one scored test image.</summary>
    public static GridTile PreviewTile(float[] pixels, Planets.Models.Preprocessing.PreprocessOptions options, string trueLabel, string predictedLabel, double confidence)
    {
        var percent = string.Create(CultureInfo.InvariantCulture, $"{100 * confidence:0}%");
        return trueLabel == predictedLabel
            ? new GridTile(pixels, options, $"✓ {predictedLabel} {percent}", new TileBorder(ChartStyle.Blue, Dashed: false))
            : new GridTile(pixels, options, $"✗ {predictedLabel} {percent}\ntrue: {trueLabel}", new TileBorder(ChartStyle.Vermillion, Dashed: true));
    }

    private static Plot HistoryPanel(IReadOnlyList<EpochMetrics> history, string title, string yLabel, Func<EpochMetrics, double> train, Func<EpochMetrics, double> validation)
    {
        var plot = ChartStyle.NewPlot(title);
        var epochs = history.Select(h => (double)h.Epoch).ToArray();
        var trained = plot.Add.Scatter(epochs, history.Select(train).ToArray());
        trained.LegendText = "training";
        trained.Color = ChartStyle.Blue;
        trained.LineWidth = 2;
        trained.MarkerSize = 7;
        var validated = plot.Add.Scatter(epochs, history.Select(validation).ToArray());
        validated.LegendText = "validation";
        validated.Color = ChartStyle.Vermillion;
        validated.LineWidth = 2;
        validated.LinePattern = LinePattern.Dashed;
        validated.MarkerShape = MarkerShape.FilledSquare;
        validated.MarkerSize = 7;
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        return plot;
    }

    // Heatmap row 0 is drawn at the top, with cell centres at integer coordinates.
    private static double RowY(int row, int n) => n - 1 - row;

    private static void AddCellLabels(Plot plot, double[][] counts, double[,] shares)
    {
        var n = shares.GetLength(0);
        for (var row = 0; row < n; row++)
        {
            for (var col = 0; col < n; col++)
            {
                if (counts[row][col] == 0)
                {
                    continue;
                }

                var share = shares[row, col];
                var text = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{counts[row][col]:0}\n{100 * share:0}%"), col, RowY(row, n));
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 11;
                // Viridis is light above about 0.6: dark text there, white below.
                text.LabelFontColor = share > 0.6 ? ChartStyle.Ink : Colors.White;
            }
        }
    }

    private static void SetClassTicks(Plot plot, IReadOnlyList<string> labels, double[] supports)
    {
        var n = labels.Count;
        var columns = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var rows = Enumerable.Range(0, n).Select(i => RowY(i, n)).ToArray();
        plot.Axes.Bottom.SetTicks(columns, [.. labels]);
        plot.Axes.Left.SetTicks(rows, [.. labels.Select((label, i) => string.Create(CultureInfo.InvariantCulture, $"{label} ({supports[i]:0})"))]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 90;
    }
}
