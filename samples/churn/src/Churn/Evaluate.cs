using System.Text.Json;
using Microsoft.ML;

namespace Churn;

/// <summary>The model on the held-out customers: accuracy, AUC, F1 and log-loss, into the metrics file.</summary>
internal static class Evaluate
{
    public static void Run(string features, string model, string metricsFile)
    {
        var ml = new MLContext(0);
        var path = Path.Combine(model, Train.ModelFile);
        var loaded = File.Exists(path) ? ml.Model.Load(path, out _) : throw new InvalidDataException($"{path}: no such file");
        var result = ml.BinaryClassification.Evaluate(loaded.Transform(Train.Load(ml, Path.Combine(features, "test.csv"))));
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["accuracy"] = Math.Round(result.Accuracy, 4),
            ["auc"] = Math.Round(result.AreaUnderRocCurve, 4),
            ["f1"] = Math.Round(result.F1Score, 4),
            ["log_loss"] = Math.Round(result.LogLoss, 4),
        };
        File.WriteAllText(metricsFile, JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"evaluate: accuracy {metrics["accuracy"]} auc {metrics["auc"]} f1 {metrics["f1"]} log_loss {metrics["log_loss"]} -> {metricsFile}");
    }
}
