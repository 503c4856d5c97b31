using System.Diagnostics;

namespace Planets.Ml.Tests;

/// <summary>
/// Another CPU, simulated: the program run in a process of its own with one knob through which libtorch's libraries
/// (and the .NET runtime) act on their CPU detection forced to a value this machine supports. The libraries read the
/// knobs once per process, hence a process per run.
/// </summary>
internal static class ForcedCpu
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "Planets.Ml.dll");
    private static readonly string[] Avx512Flags = ["avx512f", "avx512bw", "avx512vl", "avx512dq"];

    // Every knob that acts on a CPU detection, with each value this machine can take.
    public static IEnumerable<(string Name, string Value)> Detections()
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

    /// <summary>Runs the program with <paramref name="arguments"/>, <paramref name="knob"/> forced and <paramref name="environment"/> set; fails the test unless it succeeds.</summary>
    public static async Task RunAsync(string[] arguments, (string Name, string Value)? knob, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [Program, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        if (knob is { } forced)
        {
            start.Environment[forced.Name] = forced.Value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{arguments[0]} with {knob} failed: {await error}");
    }
}
