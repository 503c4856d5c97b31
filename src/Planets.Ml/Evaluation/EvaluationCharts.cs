using System.Globalization;
using Planets.Ml.Imaging;
using Planets.Ml.Training;
using ScottPlot;

namespace Planets.Ml.Evaluation;

/// <summary>The evaluation plots, drawn with ScottPlot.</summary>
internal static class EvaluationCharts
{
    /// <summary>Train and validation loss per epoch.</summary>
    public static void SaveHistory(string path, IReadOnlyList<EpochMetrics> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        ChartFonts.EnsureRegistered();
        var plot = new Plot();
        var epochs = history.Select(h => (double)h.Epoch).ToArray();
        var train = plot.Add.Scatter(epochs, history.Select(h => h.Loss).ToArray());
        train.LegendText = "train loss";
        var validation = plot.Add.Scatter(epochs, history.Select(h => h.ValLoss).ToArray());
        validation.LegendText = "val loss";
        plot.Title("Training history");
        plot.XLabel("epoch");
        plot.YLabel("cross-entropy loss");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 800, 500);
    }

    /// <summary>Row-normalised confusion matrix with class names on both axes and the share in each cell.</summary>
    public static void SaveConfusionMatrix(string path, double[][] counts, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(labels);
        ChartFonts.EnsureRegistered();
        var n = labels.Count;
        var normalised = new double[n, n];
        for (var row = 0; row < n; row++)
        {
            var total = counts[row].Sum();
            for (var col = 0; col < n; col++)
            {
                normalised[row, col] = total > 0 ? counts[row][col] / total : 0;
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(normalised);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        plot.Add.ColorBar(heatmap);
        AddCellLabels(plot, normalised);
        SetClassTicks(plot, labels);
        plot.Title("Confusion matrix (row-normalised)");
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.SavePng(path, 900, 800);
    }

    /// <summary>Test images with true and predicted label; green border when right, red when wrong.</summary>
    public static void SavePredictionPreview(string path, IReadOnlyList<GridTile> tiles) =>
        ImageGridChart.Save(path, "Predictions on test images", tiles, 5);

    // Heatmap row 0 is drawn at the top, with cell centres at integer coordinates.
    private static double RowY(int row, int n) => n - 1 - row;

    private static void AddCellLabels(Plot plot, double[,] values)
    {
        var n = values.GetLength(0);
        for (var row = 0; row < n; row++)
        {
            for (var col = 0; col < n; col++)
            {
                var v = values[row, col];
                var text = plot.Add.Text(v.ToString("0.00", CultureInfo.InvariantCulture), col, RowY(row, n));
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 11;
                text.LabelFontColor = v > 0.6 ? Colors.Black : Colors.White;
            }
        }
    }

    private static void SetClassTicks(Plot plot, IReadOnlyList<string> labels)
    {
        var n = labels.Count;
        var columns = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var rows = Enumerable.Range(0, n).Select(i => RowY(i, n)).ToArray();
        plot.Axes.Bottom.SetTicks(columns, labels.ToArray());
        plot.Axes.Left.SetTicks(rows, labels.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 90;
    }
}
