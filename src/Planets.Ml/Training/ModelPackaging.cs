using System.Collections.Immutable;
using System.Globalization;
using Planets.Ml.Cli;
using Planets.Ml.Config;
using Pipeline.Models;
using Planets.Models;
using Planets.Models.Onnx;
using Planets.Models.Preprocessing;

namespace Planets.Ml.Training;

/// <summary>
/// Puts a trained network into the model store (TorchSharp weights, their description and the ONNX export, with
/// the model's metadata) and finds it again from the archive the train stage writes.
/// </summary>
internal static class ModelPackaging
{
    /// <summary>The name models are stored under when none is given.</summary>
    public const string DefaultName = "planets-classifier";

    /// <summary>The framework recorded in the manifest.</summary>
    public const string Framework = "torchsharp";

    /// <summary>The archive's file name in the model folder.</summary>
    public static string ArchiveFile(string name) => name + ModelArchive.Extension;

    /// <summary>Saves <paramref name="model"/> into <paramref name="store"/> as a new version of <paramref name="name"/>.</summary>
    public static async Task<StoredModel> SaveAsync(
        ModelStore store,
        string name,
        PlanetNet model,
        ModelInfo info,
        MlParams mlParams,
        EpochMetrics last,
        ImmutableSortedDictionary<string, string> numerics,
        CancellationToken cancellationToken)
    {
        var files = Directory.CreateTempSubdirectory("planets-model-");
        try
        {
            await ModelFiles.SaveAsync(files.FullName, model, info, cancellationToken).ConfigureAwait(false);
            var weights = model.Weights(info);
            var onnx = Path.Combine(files.FullName, OnnxExporter.FileName);
            await File.WriteAllBytesAsync(onnx, OnnxExporter.Export(weights, typeof(ModelPackaging).Assembly.GetName().Version?.ToString() ?? "0"), cancellationToken).ConfigureAwait(false);
            var source = await ModelProvenance.DetectAsync(cancellationToken).ConfigureAwait(false);
            var draft = new ModelDraft(
                name,
                Framework,
                source.CreatedAt,
                source.Revision,
                Params(mlParams),
                Metrics(last),
                ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
                {
                    [ModelInfo.WeightsFile] = Path.Combine(files.FullName, ModelInfo.WeightsFile),
                    [ModelInfo.InfoFile] = Path.Combine(files.FullName, ModelInfo.InfoFile),
                    [OnnxExporter.FileName] = onnx,
                }))
                .WithMetadata(ClassifierMetadata.Key, new ClassifierMetadata(
                    [.. info.Labels], new PreprocessOptions(info.ImageWidth, info.ImageHeight, info.Grayscale), OnnxExporter.Signature(weights)))
                .WithMetadata(ClassifierMetadata.NumericsKey, numerics);
            return await store.SaveAsync(draft, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The stored model whose archive is in <paramref name="modelDir"/>, importing the archive first when the store
    /// does not have that version (a fresh clone whose model folder came from the pipeline's cache).
    /// </summary>
    public static async Task<StoredModel> FromArchiveAsync(ModelStore store, string modelDir, CancellationToken cancellationToken)
    {
        var archives = Directory.Exists(modelDir) ? Directory.GetFiles(modelDir, "*" + ModelArchive.Extension) : [];
        if (archives.Length != 1)
        {
            var expected = Path.Combine(modelDir, ArchiveFile(DefaultName));
            throw new UserErrorException(archives.Length == 0
                ? $"{expected}: file not found (run train first)"
                : $"{modelDir}: holds {archives.Length} model archives, expected one");
        }

        try
        {
            return await store.GetOrImportAsync(archives[0], cancellationToken).ConfigureAwait(false);
        }
        catch (ModelStoreException ex)
        {
            throw new UserErrorException(ex.Message, ex);
        }
    }

    private static ImmutableSortedDictionary<string, string> Params(MlParams mlParams)
    {
        var p = mlParams.Train;
        var values = new Dictionary<string, object>
        {
            ["seed"] = p.Seed,
            ["lr"] = p.LearningRate,
            ["epochs"] = p.Epochs,
            ["batch_size"] = p.BatchSize,
            ["conv_size"] = p.ConvSize,
            ["dense_size"] = p.DenseSize,
            ["output_classes"] = p.OutputClasses,
            ["prepare.seed"] = mlParams.Prepare.Seed,
            ["prepare.split"] = mlParams.Prepare.Split,
        };
        return values.ToImmutableSortedDictionary(
            kv => kv.Key, kv => Convert.ToString(kv.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal);
    }

    private static ImmutableSortedDictionary<string, double> Metrics(EpochMetrics last) =>
        new Dictionary<string, double>
        {
            ["loss"] = last.Loss,
            ["accuracy"] = last.Accuracy,
            ["val_loss"] = last.ValLoss,
            ["val_accuracy"] = last.ValAccuracy,
        }.ToImmutableSortedDictionary(StringComparer.Ordinal);
}
