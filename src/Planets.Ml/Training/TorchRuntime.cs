using System.Collections.Immutable;
using Planets.Ml.Cli;
using Planets.Ml.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Planets.Ml.Training;

/// <summary>Loads libtorch once, pins or frees what decides its numerics, seeds it and picks the device.</summary>
internal static class TorchRuntime
{
    /// <summary>
    /// Intra-op threads when reproducible: libtorch's parallel reductions split work by thread count, so a fixed count
    /// is what makes weights byte-identical across machines with different core counts. The network is small enough
    /// that a second thread gains little on the 2-core machines here.
    /// </summary>
    public const int ReproducibleThreads = 1;

    /// <summary>
    /// Initialises libtorch for a run: when <paramref name="reproducible"/>, with the kernels every x86-64 CPU runs alike
    /// (<see cref="CpuNumerics"/>), without oneDNN and with deterministic algorithms; otherwise with the fastest kernels this CPU has and
    /// libtorch's own thread count. Fails with one line if the native library cannot load.
    /// </summary>
    /// <returns>The device, and how the numerics are set up (recorded in the model archive).</returns>
    public static (Device Device, ImmutableSortedDictionary<string, string> Numerics) Initialize(
        int seed, DeviceChoice choice, bool reproducible, string paramsSource = ParamsLoader.DefaultPath)
    {
        if (reproducible)
        {
            // Before libtorch is loaded: its libraries read these once, at their first kernel choice.
            CpuNumerics.Pin();
        }

        try
        {
            if (reproducible)
            {
                torch.set_num_threads(ReproducibleThreads);
            }

            CpuNumerics.Configure(reproducible);
            torch.manual_seed(seed);
            var device = SelectDevice(choice, paramsSource);
            return (device, CpuNumerics.Describe(reproducible, torch.get_num_threads()));
        }
        catch (Exception ex) when (ex is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new UserErrorException(
                "TorchSharp's native library failed to load (it needs libstdc++ with GLIBCXX_3.4.32; run scripts/setup-native.sh as root)", ex);
        }
    }

    private static Device SelectDevice(DeviceChoice choice, string paramsSource)
    {
        var cuda = torch.cuda.is_available();
        if (choice == DeviceChoice.Cuda && !cuda)
        {
            throw new UserErrorException($"{paramsSource}: train.device is cuda but no CUDA device is available (use auto or cpu)");
        }

        if (choice != DeviceChoice.Cpu && cuda)
        {
            // cuBLAS is only deterministic with a fixed workspace; must be set before its first use.
            NativeEnvironment.Set("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
            return torch.CUDA;
        }

        return torch.CPU;
    }
}
