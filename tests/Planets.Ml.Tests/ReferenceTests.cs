using Pipeline.Monitoring;
using Planets.Ml.Data;
using Planets.Models.Preprocessing;

namespace Planets.Ml.Tests;

/// <summary>
/// Monitoring's reference: every training image as the service would log it. Drift is measured against it, so it must
/// describe the images as the service does and be the same file on any CPU, as the lock records it.
/// </summary>
public sealed class ReferenceTests(DatasetFixture data) : IClassFixture<DatasetFixture>, IAsyncLifetime, IDisposable
{
    private readonly TempDir dir = new();

    public async Task InitializeAsync() =>
        await Cli.RunOkAsync("train", data.Prepared, dir["model"], "--params", data.Params, "--store", dir["store"]);

    [Fact]
    public async Task The_reference_holds_one_record_per_training_image_with_its_features_answer_and_embedding()
    {
        var result = await Cli.RunOkAsync("reference", dir["model"], data.Prepared, "--out", dir["monitoring"], "--store", dir["store"]);

        var prepared = await PreparedData.LoadAsync(data.Prepared, CancellationToken.None);
        var train = prepared.Train;
        var content = await PredictionLogReader.ReadFileAsync(dir["monitoring/reference.jsonl"], CancellationToken.None);
        Assert.Equal(0, content.TornLines);
        Assert.Equal(train.Count, content.Records.Count);
        Assert.Contains($"reference: {train.Count} training images as model planets-classifier:", result.Stdout, StringComparison.Ordinal);
        for (var i = 0; i < train.Count; i++)
        {
            var record = content.Records[i];
            Assert.Null(record.Time);
            Assert.Null(record.RequestId);
            Assert.StartsWith("planets-classifier:", record.Model, StringComparison.Ordinal);
            Assert.Contains(record.PredictedLabel, prepared.Labels);
            Assert.InRange(record.Confidence, 1.0 / 11, 1);
            Assert.InRange(record.Entropy, 0, Math.Log(11) + 1e-6);
            Assert.Equal(ImageFeatures.Of(train.Image(i)), record.Features);
            Assert.Equal(16, record.Embedding!.Value.Length);
            Assert.All(record.Embedding.Value, v => Assert.True(v >= 0, "the embedding is a ReLU layer's output"));
        }
    }

    [Fact]
    public async Task The_reference_is_the_same_file_whatever_the_cpu_detection_says()
    {
        var baseline = await ReferenceAsync("baseline", null);
        var knobs = ForcedCpu.Detections().Where(k => k.Name is "ATEN_CPU_CAPABILITY" or "ONEDNN_MAX_CPU_ISA" or "DOTNET_EnableHWIntrinsic").ToList();
        var differing = new List<string>();
        foreach (var knob in knobs)
        {
            if (await ReferenceAsync($"{knob.Name}-{knob.Value}", knob) != baseline)
            {
                differing.Add($"{knob.Name}={knob.Value}");
            }
        }

        Assert.True(knobs.Count >= 3, $"only {knobs.Count} detections to simulate");
        Assert.True(differing.Count == 0, $"another reference with {string.Join(", ", differing)}");
    }

    private async Task<string> ReferenceAsync(string name, (string Name, string Value)? knob)
    {
        await ForcedCpu.RunAsync(["reference", dir["model"], data.Prepared, "--out", dir[name], "--store", dir["store"]], knob);
        return Cli.Sha256(Path.Combine(dir[name], "reference.jsonl"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => dir.Dispose();
}
