using Planets.Ml.Evaluation;
using Planets.Ml.Imaging;
using Planets.Ml.Training;
using Planets.Models.Preprocessing;
using SkiaSharp;

namespace Planets.Ml.Tests;

/// <summary>The plots drawn from small known results: what they say (their text, as the SVG of the same plot holds it) and their size.</summary>
public sealed class EvaluationChartsTests
{
    private static readonly string[] Labels = ["Moon", "Saturn", "Venus"];

    // Moon: 3 right, 1 taken for Saturn; Saturn: 4 right; Venus: none in the test set.
    private static readonly double[][] Counts = [[3, 1, 0], [0, 4, 0], [0, 0, 0]];

    [Fact]
    public void The_confusion_matrix_says_the_accuracy_each_classs_support_and_each_cells_count_and_share_and_leaves_empty_cells_blank()
    {
        var svg = EvaluationCharts.ConfusionMatrix(Counts, Labels).GetSvgHtml(900, 820);

        Assert.Contains("Confusion matrix: 7 of 8 test images right (87.5%)", svg, StringComparison.Ordinal);
        foreach (var tick in new[] { "Moon (4)", "Saturn (4)", "Venus (0)", "predicted class", "true class (test images)" })
        {
            Assert.Contains(tick, svg, StringComparison.Ordinal);
        }

        Assert.Equal(["100%", "25%", "75%"], Shares(svg));
    }

    [Fact]
    public void The_confusion_matrix_png_has_the_size_asked_for()
    {
        using var folder = new TempDir();
        EvaluationCharts.SaveConfusionMatrix(folder["cm.png"], Counts, Labels);

        using var png = SKBitmap.Decode(folder["cm.png"]);
        Assert.Equal((900, 820), (png.Width, png.Height));
    }

    [Fact]
    public void The_training_history_shows_loss_and_accuracy_for_training_and_validation_side_by_side()
    {
        EpochMetrics[] history = [new(1, 2.2, 0.2, 2.1, 0.25), new(2, 1.8, 0.4, 1.9, 0.35), new(3, 1.5, 0.55, 1.7, 0.45)];
        using var folder = new TempDir();

        var panels = EvaluationCharts.History(history);
        EvaluationCharts.SaveHistory(folder["history.png"], history);

        Assert.Equal(2, panels.Length);
        var (loss, accuracy) = (panels[0].GetSvgHtml(560, 420), panels[1].GetSvgHtml(560, 420));
        Assert.Contains("Loss", loss, StringComparison.Ordinal);
        Assert.Contains("cross-entropy loss", loss, StringComparison.Ordinal);
        Assert.Contains("Accuracy", accuracy, StringComparison.Ordinal);
        Assert.All(new[] { loss, accuracy }, svg => Assert.True(svg.Contains("training", StringComparison.Ordinal) && svg.Contains("validation", StringComparison.Ordinal), "a legend is missing"));
        using var png = SKBitmap.Decode(folder["history.png"]);
        Assert.Equal((1120, 420), (png.Width, png.Height));
        // Both panels drawn: neither half is blank.
        Assert.True(Inked(png, 0, 560) > 1000, "the loss panel is blank");
        Assert.True(Inked(png, 560, 560) > 1000, "the accuracy panel is blank");
    }

    [Fact]
    public void The_preview_shows_the_first_image_of_each_class_then_the_most_confident_mistakes()
    {
        int[] labels = [1, 0, 0, 1, 2, 0];
        float[][] probabilities =
        [
            [0.1f, 0.8f, 0.1f], // right
            [0.3f, 0.6f, 0.1f], // wrong, 60 %
            [0.7f, 0.2f, 0.1f], // right
            [0.9f, 0.05f, 0.05f], // wrong, 90 %
            [0.2f, 0.2f, 0.6f], // right
            [0.1f, 0.1f, 0.8f], // wrong, 80 %
        ];

        var (perClass, mistakes) = EvaluationCharts.PreviewChoice(labels, probabilities, classes: 3);

        Assert.Equal([1, 0, 4], perClass);
        Assert.Equal([3, 5, 1], mistakes);
    }

    [Fact]
    public void A_preview_tile_tells_right_from_wrong_by_a_mark_and_a_border_style_as_well_as_colour()
    {
        var options = new PreprocessOptions(2, 2, Grayscale: true);

        var right = EvaluationCharts.PreviewTile(new float[4], options, "Saturn", "Saturn", 0.914);
        var wrong = EvaluationCharts.PreviewTile(new float[4], options, "Moon", "Venus", 0.62);

        Assert.Equal("✓ Saturn 91%", right.Caption);
        Assert.Equal("✗ Venus 62%\ntrue: Moon", wrong.Caption);
        Assert.False(right.Border!.Dashed);
        Assert.True(wrong.Border!.Dashed);
        Assert.Equal((ChartStyle.Blue, ChartStyle.Vermillion), (right.Border.Color, wrong.Border.Color));
    }

    private static string[] Shares(string svg) =>
        [.. System.Text.RegularExpressions.Regex.Matches(svg, @">\s*(\d+%)\s*</text>").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];

    private static int Inked(SKBitmap png, int left, int width)
    {
        var count = 0;
        for (var x = left; x < left + width; x += 2)
        {
            for (var y = 0; y < png.Height; y += 2)
            {
                count += png.GetPixel(x, y) == SKColors.White ? 0 : 1;
            }
        }

        return count;
    }
}
