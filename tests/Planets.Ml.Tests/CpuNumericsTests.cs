using System.IO.Compression;
using System.Text.Json;
using Planets.Ml.Config;
using Planets.Ml.Training;

namespace Planets.Ml.Tests;

/// <summary>
/// The same commit trains the same weights on any x86-64 CPU. Another CPU is simulated by forcing each knob through
/// which libtorch's libraries (and the .NET runtime) act on their CPU detection to each value this machine supports:
/// each is a CPU that detects that much (<see cref="ForcedCpu"/>).
/// </summary>
public sealed class CpuNumericsTests(DatasetFixture data) : IClassFixture<DatasetFixture>
{
    [Fact]
    public async Task Reproducible_training_gives_identical_weights_and_archive_whatever_the_cpu_detection_says()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(epochs: 2));
        var knobs = ForcedCpu.Detections().ToList();

        var baseline = await TrainAsync(dir, yaml, "baseline", null);
        var differing = new List<string>();
        await Parallel.ForEachAsync(knobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (knob, _) =>
        {
            if (await TrainAsync(dir, yaml, $"{knob.Name}-{knob.Value}", knob) != baseline)
            {
                lock (differing)
                {
                    differing.Add($"{knob.Name}={knob.Value}");
                }
            }
        });

        Assert.True(knobs.Count >= 10, $"only {knobs.Count} detections to simulate");
        Assert.True(differing.Count == 0, $"other weights with {string.Join(", ", differing)}");
    }

    [Fact]
    public async Task Fast_numerics_follow_the_cpu_detection_which_is_why_reproducible_training_pins_it()
    {
        var capabilities = ForcedCpu.Detections().Where(d => d.Name == "ATEN_CPU_CAPABILITY").ToList();
        if (capabilities.Count < 2)
        {
            // A CPU without AVX2 has ATen's default kernels only: there is no other detection to compare with.
            return;
        }

        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(epochs: 2, reproducible: false));

        var weights = new HashSet<string>();
        foreach (var capability in capabilities)
        {
            weights.Add(await TrainAsync(dir, yaml, $"fast-{capability.Value}", capability));
        }

        Assert.True(weights.Count > 1, "fast numerics gave the same weights with every ATen capability: the pinning test above could not fail");
    }

    [Fact]
    public async Task The_archive_records_how_its_weights_were_computed()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml());
        await Cli.RunOkAsync("train", data.Prepared, dir["model"], "--params", yaml, "--store", dir["store"]);

        var numerics = Manifest(dir["model/planets-classifier.zip"]).GetProperty("metadata").GetProperty("numerics");

        Assert.Equal(
            """{"aten_cpu_capability":"default","deterministic_algorithms":"on","mkl_cbwr":"COMPATIBLE","mkldnn":"off","mode":"reproducible","nnpack":"off","onednn_max_cpu_isa":"SSE41","threads":"1"}""",
            JsonSerializer.Serialize(numerics));
    }

    [Fact]
    public void Nnpack_is_off_so_cpus_without_it_print_no_warning_and_take_the_same_path()
    {
        TorchRuntime.Initialize(77, DeviceChoice.Cpu, reproducible: true);

        Assert.False(CpuNumerics.NnpackEnabled());
    }

    // Trains in a process of its own with one knob forced; returns the SHA-256 of the archive and the history.
    private async Task<string> TrainAsync(TempDir dir, string yaml, string name, (string Name, string Value)? knob)
    {
        // Fixed provenance: the archive then differs only if the weights or what they were computed with do.
        await ForcedCpu.RunAsync(["train", data.Prepared, dir[name], "--params", yaml, "--store", dir[$"{name}-store"]], knob, new Dictionary<string, string>
        {
            ["PIPELINE_SOURCE_REVISION"] = "0000000000000000000000000000000000000000",
            ["SOURCE_DATE_EPOCH"] = "1700000000",
        });
        return Cli.Sha256(dir[$"{name}/planets-classifier.zip"]) + Cli.Sha256(dir[$"{name}/history.json"]);
    }

    private static JsonElement Manifest(string archive)
    {
        using var zip = ZipFile.OpenRead(archive);
        using var stream = zip.GetEntry("manifest.json")!.Open();
        return JsonDocument.Parse(stream).RootElement.Clone();
    }
}
