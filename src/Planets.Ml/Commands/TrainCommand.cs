using System.CommandLine;
using System.Globalization;
using Planets.Ml.Cli;
using Planets.Ml.Common;
using Planets.Ml.Config;
using Planets.Ml.Data;
using Planets.Ml.Training;
using Pipeline.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Planets.Ml.Commands;

/// <summary>
/// <c>train &lt;prepared-dir&gt; &lt;model-dir&gt; [--store DIR] [--name NAME]</c>: trains the CNN, saves it into the
/// model store (weights, description, ONNX export and metadata) and writes the model's archive
/// <c>&lt;name&gt;.zip</c> and <c>history.json</c> to the model folder. Nothing is written until all epochs are done.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Name of the per-epoch metrics file in the model folder.</summary>
    public const string HistoryFile = "history.json";

    /// <summary>The <c>train</c> command.</summary>
    public static Command Create()
    {
        var preparedDir = MlOptions.Folder("prepared-dir", "The prepared sets");
        var modelDir = MlOptions.Folder("model-dir", "Where the model's archive and history.json go");
        var parameters = MlOptions.Params();
        var store = MlOptions.Store();
        var name = new Option<string>("--name") { Description = "The model's name in the store", DefaultValueFactory = _ => ModelPackaging.DefaultName };
        var command = new Command("train", "Trains the classifier and saves it into the model store and an archive") { preparedDir, modelDir, parameters, store, name };
        command.SetAction((parse, ct) => RunAsync(
            new(parse.GetValue(preparedDir)!, parse.GetValue(modelDir)!, parse.GetValue(parameters)!, parse.GetValue(store), parse.GetValue(name)!),
            parse.InvocationConfiguration.Output,
            ct));
        return command;
    }

    private static async Task RunAsync(TrainArguments arguments, TextWriter stdout, CancellationToken cancellationToken)
    {
        var (preparedDir, modelDir) = (arguments.PreparedDir, arguments.ModelDir);
        var name = ModelName(arguments.Name);
        var mlParams = await ParamsLoader.LoadAsync(arguments.Params, cancellationToken).ConfigureAwait(false);
        var data = await PreparedData.LoadAsync(preparedDir, cancellationToken).ConfigureAwait(false);
        var info = Describe(mlParams, data);

        var p = mlParams.Train;
        var (device, numerics) = TorchRuntime.Initialize(p.Seed, p.Device, p.Reproducible, mlParams.Source);
        using var model = new PlanetNet(info);
        model.Initialize();
        model.to(device);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"train: {data.Train.Count} train / {data.Test.Count} test images, {info.OutputClasses} classes, {p.Epochs} epochs, batch {p.BatchSize}, lr {p.LearningRate}, device {device.type}, {numerics["mode"]} numerics ({numerics["threads"]} {(numerics["threads"] == "1" ? "thread" : "threads")})")).ConfigureAwait(false);

        var progress = new TrainingProgress(stdout, TrainingProgress.IsInteractive(stdout), p.Epochs, TrainingProgress.TerminalWidth());
        var history = Trainer.Train(model, data.Train, data.Test, p, device, progress, cancellationToken);

        cancellationToken.ThrowIfCancellationRequested();
        model.to(CPU);
        var rounded = history.Select(h => h.Rounded()).ToArray();
        var store = ModelStore.Open(arguments.Store);
        var stored = await ModelPackaging.SaveAsync(store, name, model, info, mlParams, rounded[^1], numerics, cancellationToken).ConfigureAwait(false);
        var archive = Path.Combine(modelDir, ModelPackaging.ArchiveFile(name));
        await store.ExportAsync(stored.Tag, archive, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(Path.Combine(modelDir, HistoryFile), Json.Serialize(rounded), cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"train: saved model {stored.Tag} in the model store {store.Root}; wrote {archive} and {HistoryFile}").ConfigureAwait(false);
    }

    private static string ModelName(string name) =>
        ModelTag.IsValidPart(name) && name != ModelTag.Latest
            ? name
            : throw new UserErrorException($"train: --name '{name}' is not a model name (letters, digits, '.', '_' and '-')");

    private static ModelInfo Describe(MlParams mlParams, PreparedData data)
    {
        var p = mlParams.Train;
        if (p.OutputClasses != data.Labels.Count)
        {
            throw new UserErrorException(
                $"{mlParams.Source}: train.output_classes is {p.OutputClasses} but the prepared data has {data.Labels.Count} classes ({string.Join(", ", data.Labels)})");
        }

        var info = new ModelInfo(data.Train.Channels, data.Train.Height, data.Train.Width, p.ConvSize, p.DenseSize, p.OutputClasses, data.Labels);
        if (info.PooledHeight < 1 || info.PooledWidth < 1)
        {
            throw new UserErrorException(
                $"{mlParams.Source}: prepare.image_size must be at least 5x5 for a 3x3 convolution and 3x3 pooling, got [{info.ImageHeight}, {info.ImageWidth}]");
        }

        return info;
    }
}

/// <summary>What <c>train</c> is given.</summary>
/// <param name="PreparedDir">The prepared sets.</param>
/// <param name="ModelDir">Where the archive and history go.</param>
/// <param name="Params">The parameters file.</param>
/// <param name="Store">The model store, or null for the default.</param>
/// <param name="Name">The model's name.</param>
internal sealed record TrainArguments(string PreparedDir, string ModelDir, string Params, string? Store, string Name);
