using System.Collections.Immutable;
using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Pipeline.Models;

namespace Churn;

/// <summary>
/// A logistic regression of churn on the features (ML.NET: min-max normalised, then L-BFGS or SDCA), one thread; the
/// model file is the stage's output and a new version of <c>churn</c> in the model store.
/// </summary>
internal static class Train
{
    public const string ModelFile = "churn.zip";

    public const string ModelName = "churn";

    public static async Task RunAsync(Parameters parameters, string features, string model, CancellationToken cancellationToken)
    {
        var ml = new MLContext(parameters.Integer("seed", 0));
        var (l2, iterations) = ((float)parameters.NonNegative("l2"), parameters.Integer("iterations"));
        var data = Load(ml, Path.Combine(features, "train.csv"));
        IEstimator<ITransformer> trainer = parameters.Choice("trainer", "lbfgs", "sdca") == "lbfgs"
            ? ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
                { L2Regularization = l2, MaximumNumberOfIterations = iterations, NumberOfThreads = 1 })
            : ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
                { L2Regularization = l2, MaximumNumberOfIterations = iterations, NumberOfThreads = 1 });
        var fitted = ml.Transforms.Concatenate("Features", Customer.Features)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(trainer)
            .Fit(data);

        Directory.CreateDirectory(model);
        using var saved = new MemoryStream();
        ml.Model.Save(fitted, data.Schema, saved);
        var file = Path.Combine(model, ModelFile);
        await File.WriteAllBytesAsync(file, WithFixedTimes(saved.ToArray()), cancellationToken);
        var stored = await StoreAsync(parameters, file, cancellationToken);
        Console.WriteLine($"train: {parameters.Choice("trainer", "lbfgs", "sdca")}, l2 {l2}, {iterations} iterations -> {file}, model store {stored.Tag}");
    }

    // The store gives the model its version from its content; the stage's output stays the bare ML.NET file, so the
    // lock file records the same bytes in every clone whatever commit and time the store's entry records.
    private static async Task<StoredModel> StoreAsync(Parameters parameters, string file, CancellationToken cancellationToken)
    {
        var provenance = await ModelProvenance.DetectAsync(cancellationToken);
        var draft = new ModelDraft(
            ModelName,
            "ml.net",
            provenance.CreatedAt,
            provenance.Revision,
            parameters.All,
            ImmutableSortedDictionary<string, double>.Empty,
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(ModelFile, file)]))
            .WithMetadata("schema", new ModelSchema(Customer.Features, "Label"));
        return await ModelStore.Open().SaveAsync(draft, cancellationToken);
    }

    public static IDataView Load(MLContext ml, string file) =>
        File.Exists(file) ? ml.Data.LoadFromTextFile<Customer>(file, separatorChar: ',', hasHeader: true) : throw new InvalidDataException($"{file}: no such file");

    // ML.NET stamps each zip entry with the time of saving; the same model must be the same bytes (the lock file hashes them).
    private static byte[] WithFixedTimes(byte[] zip)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var copy = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var target = copy.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                target.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var from = entry.Open();
                using var to = target.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }
}

/// <summary>What a caller of the stored model feeds it: the feature columns, in order, and the label column.</summary>
internal sealed record ModelSchema(string[] Features, string Label);
