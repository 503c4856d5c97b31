using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Planets.Ml.Config;
using Planets.Ml.Training;

namespace Planets.Ml.Tests;

/// <summary>
/// The same commit trains the same weights on any x86-64 CPU. Another CPU is simulated by forcing each knob through
/// which libtorch's libraries (and the .NET runtime) act on their CPU detection to each value this machine supports:
/// each is a CPU that detects that much. Each training runs the real program in a process of its own, since the
/// libraries read the knobs once per process.
/// </summary>
public sealed class CpuNumericsTests(DatasetFixture data) : IClassFixture<DatasetFixture>
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "Planets.Ml.dll");
    private static readonly string[] Avx512Flags = ["avx512f", "avx512bw", "avx512vl", "avx512dq"];

    [Fact]
    public async Task Reproducible_training_gives_identical_weights_and_archive_whatever_the_cpu_detection_says()
    {
        using var dir = new TempDir();
        var yaml = TestParams.Write(dir, TestParams.Yaml(epochs: 2));
        var knobs = Detections().ToList();

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
        var capabilities = Detections().Where(d => d.Name == "ATEN_CPU_CAPABILITY").ToList();
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

    // Every knob that acts on a CPU detection, with each value this machine can take.
    internal static IEnumerable<(string Name, string Value)> Detections()
    {
        var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(' ').ToHashSet() ?? [];
        var avx512 = Avx512Flags.All(flags.Contains);
        IEnumerable<(string, string, bool)> all =
        [
            ("ATEN_CPU_CAPABILITY", "default", true), ("ATEN_CPU_CAPABILITY", "avx2", flags.Contains("avx2")), ("ATEN_CPU_CAPABILITY", "avx512", avx512),
            ("ONEDNN_MAX_CPU_ISA", "SSE41", true), ("ONEDNN_MAX_CPU_ISA", "AVX", flags.Contains("avx")), ("ONEDNN_MAX_CPU_ISA", "AVX2", flags.Contains("avx2")),
            ("ONEDNN_MAX_CPU_ISA", "AVX512_CORE", avx512), ("ONEDNN_MAX_CPU_ISA", "AVX512_CORE_AMX", flags.Contains("amx_tile")),
            ("MKL_CBWR", "AUTO", true), ("MKL_CBWR", "SSE4_2", true), ("MKL_CBWR", "AVX2", flags.Contains("avx2")), ("MKL_CBWR", "AVX512", avx512),
            ("MKL_ENABLE_INSTRUCTIONS", "SSE4_2", true), ("MKL_ENABLE_INSTRUCTIONS", "AVX2", flags.Contains("avx2")), ("MKL_ENABLE_INSTRUCTIONS", "AVX512", avx512),
            ("OMP_NUM_THREADS", "2", true), ("MKL_NUM_THREADS", "2", true),
            ("DOTNET_EnableAVX512F", "0", avx512), ("DOTNET_EnableAVX2", "0", flags.Contains("avx2")), ("DOTNET_EnableHWIntrinsic", "0", true),
        ];
        return all.Where(k => k.Item3).Select(k => (k.Item1, k.Item2));
    }

    // Trains in a process of its own with one knob forced; returns the SHA-256 of the archive and the history.
    private async Task<string> TrainAsync(TempDir dir, string yaml, string name, (string Name, string Value)? knob)
    {
        var start = new ProcessStartInfo("dotnet", [Program, "train", data.Prepared, dir[name], "--params", yaml, "--store", dir[$"{name}-store"]])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Fixed provenance: the archive then differs only if the weights or what they were computed with do.
        start.Environment["PIPELINE_SOURCE_REVISION"] = "0000000000000000000000000000000000000000";
        start.Environment["SOURCE_DATE_EPOCH"] = "1700000000";
        if (knob is { } forced)
        {
            start.Environment[forced.Name] = forced.Value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"train with {knob} failed: {await error}");
        return Cli.Sha256(dir[$"{name}/planets-classifier.zip"]) + Cli.Sha256(dir[$"{name}/history.json"]);
    }

    private static JsonElement Manifest(string archive)
    {
        using var zip = ZipFile.OpenRead(archive);
        using var stream = zip.GetEntry("manifest.json")!.Open();
        return JsonDocument.Parse(stream).RootElement.Clone();
    }
}
