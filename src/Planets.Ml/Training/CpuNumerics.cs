using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Planets.Ml.Training;

/// <summary>
/// What decides libtorch's floating-point results on the CPU, and how it is pinned so that the same commit gives the
/// same weights on any x86-64 machine. libtorch picks its vectorised kernels per CPU (ATen by its detected capability,
/// oneDNN by its instruction set, MKL by its code path), and a kernel with wider vectors sums in another order; on
/// one machine, forcing each of them to each value it supports gave 9 different weights in 17 runs. Pinned, each
/// takes code that every x86-64 CPU with SSE4.1 runs alike, on one thread, whatever the CPU detection says.
/// </summary>
internal static partial class CpuNumerics
{
    /// <summary>
    /// The variables libtorch's libraries read when they first choose a kernel: ATen's capability (the build for no
    /// particular instruction set), MKL's conditional numerical reproducibility (one code path for every CPU) and
    /// oneDNN's highest instruction set (SSE4.1, below any AVX: reproducible training switches oneDNN off, this holds
    /// should an operation still reach it). One thread each: their parallel reductions split the work, and so the
    /// sums, by thread count.
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
    /// <paramref name="reproducible"/>, oneDNN (its convolutions then run as MKL matrix products, which MKL's
    /// reproducibility mode makes the same on every CPU, where oneDNN promises only run-to-run reproducibility; on the
    /// 2-core machines here they are faster too) and the algorithms that are not deterministic (as
    /// <c>torch.use_deterministic_algorithms(True)</c>, which TorchSharp does not reach). libtorch must be loaded.
    /// </summary>
    public static void Configure(bool reproducible)
    {
        var context = GlobalContext();
        SetUserEnabledNnpack(context, false);
        SetUserEnabledMkldnn(context, !reproducible);
        SetDeterministicAlgorithms(context, reproducible, warnOnly: false);
    }

    /// <summary>Whether libtorch may use NNPACK (false once <see cref="Configure"/> ran).</summary>
    public static bool NnpackEnabled() => UserEnabledNnpack(GlobalContext());

    /// <summary>What the model archive records of how its weights were computed.</summary>
    public static ImmutableSortedDictionary<string, string> Describe(bool reproducible, int threads)
    {
        var described = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        described["mode"] = reproducible ? "reproducible" : "fast";
        described["threads"] = threads.ToString(CultureInfo.InvariantCulture);
        described["nnpack"] = "off";
        described["mkldnn"] = reproducible ? "off" : "on";
        described["deterministic_algorithms"] = reproducible ? "on" : "off";
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

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledNnpack(nint context);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context26setDeterministicAlgorithmsEbb")]
    private static partial void SetDeterministicAlgorithms(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled, [MarshalAs(UnmanagedType.U1)] bool warnOnly);
}
