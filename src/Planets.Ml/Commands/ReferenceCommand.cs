using System.CommandLine;
using System.Text;
using System.Text.Json;
using Planets.Ml.Cli;
using Planets.Ml.Common;
using Planets.Ml.Data;
using Planets.Ml.Evaluation;
using Planets.Ml.Training;
using Pipeline.Monitoring;
using Planets.Models.Preprocessing;

namespace Planets.Ml.Commands;

/// <summary>
/// <c>reference &lt;model-dir&gt; &lt;prepared-dir&gt; [--out monitoring] [--store DIR]</c>: what monitoring compares
/// the service's predictions with. For every training image, the record the service would log for it (its features,
/// the model's answer, confidence, entropy and last hidden layer), without a time or a request, in
/// <c>reference.jsonl</c>.
/// </summary>
internal static class ReferenceCommand
{
    /// <summary>The reference records' file, in the output folder.</summary>
    public const string ReferenceFile = "reference.jsonl";

    /// <summary>The <c>reference</c> command.</summary>
    public static Command Create()
    {
        var modelDir = MlOptions.Folder("model-dir", "The folder holding the model's archive");
        var preparedDir = MlOptions.Folder("prepared-dir", "The prepared sets (the training set is the reference)");
        var outDir = new Option<string>("--out") { Description = $"Where {ReferenceFile} goes", DefaultValueFactory = _ => "monitoring", HelpName = "dir" };
        var store = MlOptions.Store();
        var command = new Command("reference", "Writes monitoring's reference: the training set as the service would log it") { modelDir, preparedDir, outDir, store };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(modelDir)!, parse.GetValue(preparedDir)!, parse.GetValue(outDir)!, parse.GetValue(store), parse.InvocationConfiguration.Output, ct));
        return command;
    }

    private static async Task RunAsync(string modelDir, string preparedDir, string outDir, string? storeRoot, TextWriter stdout, CancellationToken cancellationToken)
    {
        using var scoring = await ScoringModel.OpenAsync(modelDir, preparedDir, storeRoot, cancellationToken).ConfigureAwait(false);
        var set = scoring.Data.Train;
        var records = Records(scoring, set, cancellationToken);
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.Append(JsonSerializer.Serialize(record, PredictionRecord.Json)).Append('\n');
        }

        Directory.CreateDirectory(outDir);
        var path = Path.Combine(outDir, ReferenceFile);
        await AtomicFile.WriteAllTextAsync(path, text.ToString(), cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"reference: {records.Count} training images as model {scoring.Stored.Tag} sees them -> {path}").ConfigureAwait(false);
    }

    private static List<PredictionRecord> Records(ScoringModel scoring, PreparedSet set, CancellationToken cancellationToken)
    {
        var (_, probabilities) = scoring.Score(set, cancellationToken);
        var embeddings = scoring.Embeddings(set, cancellationToken);
        var model = scoring.Stored.Tag.ToString();
        return [.. Enumerable.Range(0, set.Count).Select(i =>
        {
            var predicted = ClassificationReport.ArgMax(probabilities[i]);
            return new PredictionRecord
            {
                Model = model,
                PredictedLabel = scoring.Data.Labels[predicted],
                Confidence = probabilities[i][predicted],
                Entropy = PredictionRecord.EntropyOf(probabilities[i]),
                Features = ImageFeatures.Of(set.Image(i)),
                Embedding = [.. embeddings[i]],
            };
        })];
    }
}
