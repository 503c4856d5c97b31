using Pipeline.Programs;
using System.Text.Json;
using Planets.Ml.Cli;
using Planets.Ml.Config;
using Planets.Ml.Training;

namespace Planets.Ml.Tests;

public sealed class TrainEvaluateTests(DatasetFixture data) : IClassFixture<DatasetFixture>
{
    [Fact]
    public async Task Train_writes_model_and_history()
    {
        using var dir = new TempDir();
        var result = await Cli.RunOkAsync("train", data.Prepared, dir["model"], "--params", data.Params);

        Assert.Contains("epoch 1/1 loss ", result.Stdout, StringComparison.Ordinal);
        Assert.True(new FileInfo(dir["model/planets-classifier.zip"]).Length > 0);
        using var history = JsonDocument.Parse(File.ReadAllText(dir["model/history.json"]));
        var epoch = Assert.Single(history.RootElement.EnumerateArray());
        Assert.Equal(["epoch", "loss", "accuracy", "val_loss", "val_accuracy"], epoch.EnumerateObject().Select(p => p.Name));
        Assert.Empty(Directory.GetFiles(dir["model"], "*.tmp"));
    }

    [Fact]
    public void The_relu_layers_start_he_uniform_and_the_output_layer_glorot_uniform_with_zero_biases()
    {
        TorchRuntime.Initialize(77, DeviceChoice.Cpu, reproducible: true);
        var info = new ModelInfo(1, 32, 32, 32, 64, 11, [.. Enumerable.Range(0, 11).Select(i => $"class{i}")]);
        using var model = new PlanetNet(info);

        model.Initialize();

        var weights = model.Weights(info);
        AssertUniformWithin(weights.ConvWeight, Math.Sqrt(6.0 / 9));
        AssertUniformWithin(weights.DenseWeight, Math.Sqrt(6.0 / (32 * 10 * 10)));
        AssertUniformWithin(weights.OutputWeight, Math.Sqrt(6.0 / (64 + 11)));
        Assert.All(new[] { weights.ConvBias, weights.DenseBias, weights.OutputBias }, bias => Assert.All(bias.ToArray(), b => Assert.Equal(0f, b)));

        // Spread over the whole range, not bunched inside it: the largest weights come close to the bound.
        static void AssertUniformWithin(ReadOnlyMemory<float> values, double bound)
        {
            var magnitudes = values.ToArray().Select(v => Math.Abs((double)v)).ToArray();
            Assert.InRange(magnitudes.Max(), 0.95 * bound, bound);
        }
    }

    [Fact]
    public async Task Two_trainings_give_identical_weights()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(epochs: 2));
        await Cli.RunOkAsync("train", data.Prepared, dir["a"], "--params", yaml);
        await Cli.RunOkAsync("train", data.Prepared, dir["b"], "--params", yaml);

        Assert.Equal(Cli.Sha256(dir["a/planets-classifier.zip"]), Cli.Sha256(dir["b/planets-classifier.zip"]));
        Assert.Equal(File.ReadAllText(dir["a/history.json"]), File.ReadAllText(dir["b/history.json"]));
    }

    [Fact]
    public async Task Cancellation_stops_without_leaving_files()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(epochs: 3));
        using var cancellation = new CancellationTokenSource();
        using var stdout = new CancelAfterFirstEpochWriter(cancellation);
        using var stderr = new StringWriter();

        var code = await App.RunAsync(["train", data.Prepared, dir["model"], "--params", yaml], stdout, stderr, cancellation.Token);

        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Equal("Error: cancelled", stderr.ToString().Trim());
        Assert.DoesNotContain("epoch 2/3", stdout.ToString(), StringComparison.Ordinal);
        Assert.True(!Directory.Exists(dir["model"]) || Directory.GetFiles(dir["model"]).Length == 0);
    }

    [Fact]
    public async Task Train_rejects_class_count_disagreeing_with_prepared_data()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(outputClasses: 12));
        var result = await Cli.RunAsync("train", data.Prepared, dir["model"], "--params", yaml);
        Cli.AssertUserError(result, $"{yaml}: train.output_classes is 12 but the prepared data has 11 classes");
    }

    [Fact]
    public async Task Train_rejects_missing_prepared_data()
    {
        using var dir = new TempDir();
        var result = await Cli.RunAsync("train", dir["nothing"], dir["model"], "--params", data.Params);
        Cli.AssertUserError(result, $"{dir["nothing"]}: prepared data folder not found");
    }

    [Fact]
    public async Task Train_rejects_cuda_when_none_is_available()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(device: "cuda"));
        var result = await Cli.RunAsync("train", data.Prepared, dir["model"], "--params", yaml);
        Cli.AssertUserError(result, $"{yaml}: train.device is cuda but no CUDA device is available");
    }

    [Fact]
    public async Task Evaluate_writes_metrics_and_plots()
    {
        using var dir = new TempDir();
        await Cli.RunOkAsync("train", data.Prepared, dir["model"], "--params", data.Params);
        await Cli.RunOkAsync("evaluate", dir["model"], data.Prepared, "--out", dir["evaluation"]);

        using var metrics = JsonDocument.Parse(File.ReadAllText(dir["evaluation/metrics.json"]));
        var root = metrics.RootElement;
        Assert.Equal(["val_loss", "val_acc", "precision", "recall", "f1"], root.EnumerateObject().Select(p => p.Name));
        using var history = JsonDocument.Parse(File.ReadAllText(dir["model/history.json"]));
        var last = history.RootElement.EnumerateArray().Last();
        Assert.Equal(Math.Round(last.GetProperty("val_accuracy").GetDouble(), 4), root.GetProperty("val_acc").GetDouble());
        Assert.Equal(Math.Round(last.GetProperty("val_loss").GetDouble(), 4), root.GetProperty("val_loss").GetDouble(), 3);
        foreach (var plot in new[] { "training_history.png", "pred_preview.png", "confusion_matrix.png" })
        {
            Cli.AssertPng(dir[Path.Combine("evaluation/plots", plot)], minimumBytes: 5000);
        }
    }

    [Fact]
    public async Task Train_saves_into_the_store_and_evaluate_imports_the_archive_into_an_empty_one()
    {
        using var dir = new TempDir();
        var train = await Cli.RunOkAsync("train", data.Prepared, dir["model"], "--params", data.Params, "--store", dir["store"]);
        Assert.Contains("saved model planets-classifier:", train.Stdout, StringComparison.Ordinal);
        var version = Assert.Single(Directory.GetDirectories(dir["store/planets-classifier"]));
        Assert.True(File.Exists(Path.Combine(version, "model.onnx")));
        Assert.Equal(["history.json", "planets-classifier.zip"], Directory.GetFiles(dir["model"]).Select(Path.GetFileName).Order());

        // A fresh clone: the model folder came from the pipeline's cache, the store is empty.
        await Cli.RunOkAsync("evaluate", dir["model"], data.Prepared, "--out", dir["evaluation"], "--store", dir["fresh"]);
        Assert.Equal(Path.GetFileName(version), Path.GetFileName(Assert.Single(Directory.GetDirectories(dir["fresh/planets-classifier"]))));
        Assert.True(File.Exists(dir["evaluation/metrics.json"]));
    }

    [Fact]
    public async Task Evaluate_rejects_a_model_folder_without_a_model()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["model"]);
        File.WriteAllText(dir["model/history.json"], "[]");
        var result = await Cli.RunAsync("evaluate", dir["model"], data.Prepared, "--out", dir["evaluation"]);
        Cli.AssertUserError(result, $"{Path.Combine(dir["model"], "planets-classifier.zip")}: file not found");
    }

    /// <summary>A stdout that requests cancellation as soon as the first epoch is reported.</summary>
    private sealed class CancelAfterFirstEpochWriter(CancellationTokenSource cancellation) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith("epoch 1/", StringComparison.Ordinal) == true)
            {
                cancellation.Cancel();
            }
        }
    }
}
