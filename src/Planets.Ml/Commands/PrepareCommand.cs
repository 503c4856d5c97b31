using System.CommandLine;
using System.Globalization;
using Planets.Ml.Cli;
using Planets.Ml.Common;
using Planets.Ml.Config;
using Planets.Ml.Data;
using Planets.Ml.Imaging;
using Planets.Models.Preprocessing;

namespace Planets.Ml.Commands;

/// <summary>
/// <c>prepare &lt;raw-dir&gt; &lt;prepared-dir&gt;</c>: preprocesses the raw images, shuffles with the
/// seed and splits them into <c>train.bin</c> and <c>test.bin</c>, plus <c>labels.json</c> and <c>preview.png</c>.
/// <c>--extra-train DIR</c> (annotated images, <c>DIR/&lt;Class&gt;/*.jpg</c>) adds images to the training set only:
/// the test set stays the raw data's, so metrics before and after new data compare on the same images.
/// </summary>
internal static class PrepareCommand
{
    /// <summary>Name of the label list written next to the sets (a JSON array of class names in label order).</summary>
    public const string LabelsFile = "labels.json";

    /// <summary>The <c>prepare</c> command.</summary>
    public static Command Create()
    {
        var rawDir = MlOptions.Folder("raw-dir", "The raw images, a folder per class");
        var outDir = MlOptions.Folder("prepared-dir", "Where the prepared sets go");
        var parameters = MlOptions.Params();
        var extraTrain = new Option<string?>("--extra-train") { Description = "Annotated images (a folder per class) added to the training set only", HelpName = "dir" };
        var command = new Command("prepare", "Preprocesses, shuffles and splits the raw images into train and test sets") { rawDir, outDir, parameters, extraTrain };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(rawDir)!, parse.GetValue(outDir)!, parse.GetValue(parameters)!, parse.GetValue(extraTrain), parse.InvocationConfiguration.Output, ct));
        return command;
    }

    private static async Task RunAsync(string rawDir, string outDir, string parameters, string? extraDir, TextWriter stdout, CancellationToken cancellationToken)
    {
        var mlParams = await ParamsLoader.LoadAsync(parameters, cancellationToken).ConfigureAwait(false);
        var dataset = RawDataset.Scan(rawDir);
        CheckClassCount(mlParams, dataset, rawDir);

        var p = mlParams.Prepare;
        var preprocessor = new ImagePreprocessor(new PreprocessOptions(p.ImageWidth, p.ImageHeight, p.Grayscale));
        var pixels = await PreprocessAllAsync(dataset, preprocessor, cancellationToken).ConfigureAwait(false);
        var (train, test) = Split(mlParams, dataset, pixels, preprocessor.Options);
        var extra = extraDir is null ? null : RawDataset.ScanExtra(extraDir, dataset.Classes);
        if (extra is not null)
        {
            train = train.Append(await PreprocessAllAsync(extra, preprocessor, cancellationToken).ConfigureAwait(false), [.. extra.Images.Select(i => i.Label)]);
        }

        Directory.CreateDirectory(outDir);
        await WriteSetAsync(Path.Combine(outDir, "train.bin"), train, cancellationToken).ConfigureAwait(false);
        await WriteSetAsync(Path.Combine(outDir, "test.bin"), test, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(Path.Combine(outDir, LabelsFile), Json.Serialize(dataset.Classes), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(
            Path.Combine(outDir, "preview.png"),
            (temp, _) => SavePreview(temp, train, dataset.Classes, preprocessor.Options),
            cancellationToken).ConfigureAwait(false);

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"prepare: {dataset.Images.Count} images{(extra is null ? "" : $" + {extra.Images.Count} extra for training")}, {dataset.Classes.Count} classes -> {train.Count} train, {test.Count} test ({p.ImageWidth}x{p.ImageHeight}, {(p.Grayscale ? "grayscale" : "rgb")}) in {outDir}")).ConfigureAwait(false);
    }

    /// <summary>Fails early when params.yaml expects a different number of classes than the data has.</summary>
    internal static void CheckClassCount(MlParams mlParams, RawDataset dataset, string rawDir)
    {
        var expected = mlParams.Train.OutputClasses;
        if (expected != dataset.Classes.Count)
        {
            throw new UserErrorException(
                $"{mlParams.Source}: train.output_classes is {expected} but {rawDir} has {dataset.Classes.Count} class folders ({string.Join(", ", dataset.Classes)})");
        }
    }

    private static async Task<float[][]> PreprocessAllAsync(RawDataset dataset, ImagePreprocessor preprocessor, CancellationToken cancellationToken)
    {
        var pixels = new float[dataset.Images.Count][];
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        // Each result lands at its own index, so parallel decoding cannot change the output order.
        await Parallel.ForEachAsync(Enumerable.Range(0, pixels.Length), options, async (i, ct) =>
        {
            var path = dataset.Images[i].Path;
            var bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
            try
            {
                pixels[i] = preprocessor.Preprocess(bytes);
            }
            catch (InvalidDataException ex)
            {
                throw new UserErrorException($"{path}: cannot read image: {ex.Message}", ex);
            }
        }).ConfigureAwait(false);
        return pixels;
    }

    private static (PreparedSet Train, PreparedSet Test) Split(MlParams mlParams, RawDataset dataset, float[][] pixels, PreprocessOptions options)
    {
        var count = dataset.Images.Count;
        // Keras' rule: the file list (classes and files in sorted order) shuffled by NumPy's RandomState(seed), and the
        // test set is its last floor(split * n) images: for the same files and seed, the reference's very test set.
        var testCount = (int)(mlParams.Prepare.Split * count);
        if (testCount < 1 || testCount >= count)
        {
            throw new UserErrorException(string.Create(CultureInfo.InvariantCulture,
                $"{mlParams.Source}: prepare.split {mlParams.Prepare.Split} of {count} images gives {testCount} test images (need at least 1 train and 1 test image)"));
        }

        var order = new NumpyRandomState((uint)mlParams.Prepare.Seed).Permutation(count);
        return (Build(order[..^testCount]), Build(order[^testCount..]));

        PreparedSet Build(int[] indices) => new(
            options.Channels,
            options.Height,
            options.Width,
            dataset.Classes.Count,
            indices.SelectMany(i => pixels[i]).ToArray(),
            indices.Select(i => dataset.Images[i].Label).ToArray());
    }

    private static Task WriteSetAsync(string path, PreparedSet set, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(path, (temp, ct) => set.WriteAsync(temp, ct), cancellationToken);

    private static Task SavePreview(string path, PreparedSet train, IReadOnlyList<string> classes, PreprocessOptions options)
    {
        var tiles = Enumerable.Range(0, Math.Min(10, train.Count))
            .Select(i => new GridTile(train.Image(i).ToArray(), options, classes[train.Labels[i]], Border: null))
            .ToArray();
        ImageGridChart.Save(path, "Prepared samples", tiles, 5);
        return Task.CompletedTask;
    }
}
