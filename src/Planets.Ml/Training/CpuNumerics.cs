using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Planets.Ml.Training;

/// <summary>
/// What decides libtorch's floating-point results on the CPU, and how it is pinned so that the same commit gives the
/// same weights on any x86-64 machine. libtorch picks its vectorised kernels per CPU (ATen by its detected capability,
/// oneDNN by its instruction set, MKL by its code path), and a kernel with wider vectors sums in another order; on
/// one machine, forcing each of them to each value it supports gave as many different weights. Pinned, each takes the
/// code every x86-64 CPU since 2008 runs alike, on one thread, whatever the CPU detection says.
/// </summary>
internal static partial class CpuNumerics
{
    /// <summary>
    /// The variables libtorch's libraries read when they first choose a kernel: ATen's capability (the build for no
    /// particular instruction set), oneDNN's highest instruction set (SSE4.1, below any AVX) and MKL's conditional
    /// numerical reproducibility (one code path for every CPU). One thread each: their parallel reductions split the
    /// work, and so the sums, by thread count.
    /// </summary>
    public static ImmutableSortedDictionary<string, string> Pins { get; } = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
    [
        KeyValuePair.Create("ATEN_CPU_CAPABILITY", "default"),
        KeyValuePair.Create("MKL_CBWR", "COMPATIBLE"),
        KeyValuePair.Create("MKL_NUM_THREADS", "1"),
        KeyValuePair.Create("OMP_NUM_THREADS", "1"),
        KeyValuePair.Create("ONEDNN_MAX_CPU_ISA", "SSE41"),
    ]);

    /// <summary>
    /// Sets <see cref="Pins"/> in the process's native environment, overriding what it inherited; must run before
    /// libtorch is loaded and computes, since each library reads its variable once.
    /// </summary>
    public static void Pin()
    {
        foreach (var (name, value) in Pins)
        {
            NativeEnvironment.Set(name, value);
        }
    }

    /// <summary>
    /// Switches off what libtorch would choose by itself: NNPACK (a CPU-dependent convolution path for inference,
    /// whose failure to start on CPUs without it prints a warning at every evaluation) and, when
    /// <paramref name="deterministic"/>, the algorithms that are not deterministic (as
    /// <c>torch.use_deterministic_algorithms(True)</c>; TorchSharp does not reach it). libtorch must be loaded.
    /// </summary>
    public static void Configure(bool deterministic)
    {
        var context = GlobalContext();
        SetUserEnabledNnpack(context, false);
        SetDeterministicAlgorithms(context, deterministic, warnOnly: false);
    }

    /// <summary>Whether libtorch may use NNPACK (false once <see cref="Configure"/> ran).</summary>
    public static bool NnpackEnabled() => UserEnabledNnpack(GlobalContext());

    /// <summary>What the model archive records of how its weights were computed.</summary>
    public static ImmutableSortedDictionary<string, string> Describe(bool reproducible, int threads, bool deterministic)
    {
        var described = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        described["mode"] = reproducible ? "reproducible" : "fast";
        described["threads"] = threads.ToString(CultureInfo.InvariantCulture);
        described["nnpack"] = "off";
        described["deterministic_algorithms"] = deterministic ? "on" : "off";
        if (reproducible)
        {
            described["aten_cpu_capability"] = Pins["ATEN_CPU_CAPABILITY"];
            described["mkl_cbwr"] = Pins["MKL_CBWR"];
            described["onednn_max_cpu_isa"] = Pins["ONEDNN_MAX_CPU_ISA"];
        }

        return described.ToImmutable();
    }

    // at::globalContext() and members of at::Context: exported C++ functions, called with the context as first argument.
    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial nint GlobalContext();

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledNnpack(nint context);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context26setDeterministicAlgorithmsEbb")]
    private static partial void SetDeterministicAlgorithms(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled, [MarshalAs(UnmanagedType.U1)] bool warnOnly);
}
