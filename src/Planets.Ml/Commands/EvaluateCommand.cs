using System.CommandLine;
using System.Globalization;
using Planets.Ml.Cli;
using Planets.Ml.Common;
using Planets.Ml.Data;
using Planets.Ml.Evaluation;
using Planets.Ml.Imaging;
using Planets.Ml.Training;
using Planets.Models.Preprocessing;

namespace Planets.Ml.Commands;

/// <summary>
/// <c>evaluate &lt;model-dir&gt; &lt;prepared-dir&gt; [--out evaluation] [--store DIR]</c>: loads the model of the
/// archive in the model folder from the model store (importing it when missing), scores the test split and writes
/// <c>metrics.json</c>, the plots <c>training_history.png</c>, <c>pred_preview.png</c>, <c>confusion_matrix.png</c>, and the
/// plots' data <c>history.json</c> and <c>predictions.json</c>.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>The training history as plot data, beside metrics.json.</summary>
    public const string HistoryData = "history.json";

    /// <summary>Each test image's true and predicted class as plot data (the confusion matrix's rows), beside metrics.json.</summary>
    public const string PredictionsData = "predictions.json";

    // ML.NET and torch compute accuracy independently; they count the same predictions, so any
    // difference beyond float rounding means the two disagree about labels or predictions.
    private const double AccuracyTolerance = 1e-9;

    /// <summary>The <c>evaluate</c> command.</summary>
    public static Command Create()
    {
        var modelDir = MlOptions.Folder("model-dir", "The folder holding the model's archive and history.json");
        var preparedDir = MlOptions.Folder("prepared-dir", "The prepared sets");
        var outDir = new Option<string>("--out") { Description = "Where metrics.json and the plots go", DefaultValueFactory = _ => "evaluation", HelpName = "dir" };
        var store = MlOptions.Store();
        var command = new Command("evaluate", "Scores the test set: metrics.json and the plots") { modelDir, preparedDir, outDir, store };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(modelDir)!, parse.GetValue(preparedDir)!, parse.GetValue(outDir)!, parse.GetValue(store), parse.InvocationConfiguration.Output, ct));
        return command;
    }

    private static async Task RunAsync(string modelDir, string preparedDir, string outDir, string? storeRoot, TextWriter stdout, CancellationToken cancellationToken)
    {
        var history = await Json.ReadAsync<EpochMetrics[]>(Path.Combine(modelDir, TrainCommand.HistoryFile), cancellationToken).ConfigureAwait(false);
        using var scoring = await ScoringModel.OpenAsync(modelDir, preparedDir, storeRoot, cancellationToken).ConfigureAwait(false);
        var data = scoring.Data;
        var scored = scoring.Score(data.Test, cancellationToken);
        var report = ClassificationReport.Compute(data.Test.Labels, scored.Probabilities, scoring.Info.OutputClasses);
        CheckAgreement(report, scored.Own);
        var metrics = new EvaluationMetrics(scored.Own.Loss, scored.Own.Accuracy, report.MacroPrecision, report.MacroRecall, report.MacroF1).Rounded();
        await WriteOutputsAsync(outDir, metrics, report, history, data, scored.Probabilities, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"evaluate: val_loss {metrics.ValLoss} val_acc {metrics.ValAcc} precision {metrics.Precision} recall {metrics.Recall} f1 {metrics.F1} -> {outDir}")).ConfigureAwait(false);
    }

    private static void CheckAgreement(ClassificationReport report, LossAccuracy own)
    {
        if (Math.Abs(report.Accuracy - own.Accuracy) > AccuracyTolerance)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"evaluate: ML.NET accuracy {report.Accuracy:R} disagrees with the model's own accuracy {own.Accuracy:R}"));
        }
    }

    private static async Task WriteOutputsAsync(
        string outDir, EvaluationMetrics metrics, ClassificationReport report, EpochMetrics[] history, PreparedData data, float[][] probabilities, CancellationToken cancellationToken)
    {
        var plots = Path.Combine(outDir, "plots");
        Directory.CreateDirectory(plots);
        await AtomicFile.WriteAllTextAsync(Path.Combine(outDir, "metrics.json"), Json.Serialize(metrics), cancellationToken).ConfigureAwait(false);
        // The plots' data, for the pipeline's interactive charts: the history per epoch, one row per test image.
        await AtomicFile.WriteAllTextAsync(Path.Combine(outDir, HistoryData), Json.Serialize(history), cancellationToken).ConfigureAwait(false);
        var predictions = data.Test.Labels.Select((label, i) => new TestPrediction(data.Labels[label], data.Labels[ClassificationReport.ArgMax(probabilities[i])]));
        await AtomicFile.WriteAllTextAsync(Path.Combine(outDir, PredictionsData), Json.Serialize(predictions.ToArray()), cancellationToken).ConfigureAwait(false);
        await SavePlotAsync(Path.Combine(plots, "training_history.png"), p => EvaluationCharts.SaveHistory(p, history), cancellationToken).ConfigureAwait(false);
        await SavePlotAsync(Path.Combine(plots, "confusion_matrix.png"), p => EvaluationCharts.SaveConfusionMatrix(p, report.ConfusionCounts, data.Labels), cancellationToken).ConfigureAwait(false);
        var sections = PreviewSections(data, probabilities);
        await SavePlotAsync(Path.Combine(plots, "pred_preview.png"), p => EvaluationCharts.SavePredictionPreview(p, sections), cancellationToken).ConfigureAwait(false);
    }

    private static GridSection[] PreviewSections(PreparedData data, float[][] probabilities)
    {
        var test = data.Test;
        var options = new PreprocessOptions(test.Width, test.Height, test.Channels == 1);
        var (perClass, mistakes) = EvaluationCharts.PreviewChoice(test.Labels, probabilities, data.Labels.Count);
        GridTile[] Tiles(int[] chosen) => [.. chosen.Select(i =>
        {
            var predicted = ClassificationReport.ArgMax(probabilities[i]);
            return EvaluationCharts.PreviewTile(test.Image(i).ToArray(), options, data.Labels[test.Labels[i]], data.Labels[predicted], probabilities[i][predicted]);
        })];
        return mistakes.Length == 0
            ? [new GridSection("One test image of each class", Tiles(perClass))]
            : [new GridSection("One test image of each class", Tiles(perClass)), new GridSection("The most confident mistakes", Tiles(mistakes))];
    }

    private static Task SavePlotAsync(string path, Action<string> save, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(path, (temp, _) =>
        {
            save(temp);
            return Task.CompletedTask;
        }, cancellationToken);
}

/// <summary>One row of <c>predictions.json</c>: a test image's true class and the class the model predicted.</summary>
/// <param name="Actual">The true class.</param>
/// <param name="Predicted">The predicted class.</param>
internal sealed record TestPrediction(string Actual, string Predicted);
