using Planets.Ml.Cli;
using Planets.Ml.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Planets.Ml.Training;

/// <summary>Loads libtorch once, makes it deterministic and picks the device.</summary>
internal static class TorchRuntime
{
    /// <summary>
    /// One intra-op thread: libtorch's parallel reductions split work by thread count, so a fixed
    /// count is what makes weights byte-identical across machines with different core counts.
    /// The network is small enough that a second thread gains little on the 2-core machines here.
    /// </summary>
    public const int Threads = 1;

    /// <summary>Seeds libtorch and selects the device; fails with one line if the native library cannot load.</summary>
    public static Device Initialize(int seed, DeviceChoice choice, string paramsSource = ParamsLoader.DefaultPath)
    {
        try
        {
            // TorchSharp 0.107 does not implement use_deterministic_algorithms; on the CPU the fixed
            // thread count and seeding are what make runs repeatable (checked by the tests).
            torch.set_num_threads(Threads);
            torch.manual_seed(seed);
            return SelectDevice(choice, paramsSource);
        }
        catch (Exception ex) when (ex is TypeInitializationException or NotSupportedException or DllNotFoundException)
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
            Environment.SetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
            return torch.CUDA;
        }

        return torch.CPU;
    }
}
