using CliWrap;
using CliWrap.Buffered;

namespace Pipeline.Benchmarks;

/// <summary>
/// Wall time of <c>./build.sh --target=Status</c> in the repository when the definition's stamp matches its sources
/// (no build), beside the same with the stamp removed first, so the bootstrapper runs an up-to-date
/// <c>dotnet build</c> as it always did before the stamp.
/// </summary>
internal static class BootstrapBenchmark
{
    private const string Stamp = "artifacts/bin/Planets.Build/release/Planets.Build.dll.sources";

    public static async Task RunAsync(string repositoryRoot, int repeats)
    {
        if ((await BuildShAsync(repositoryRoot)).ExitCode != 0)
        {
            Console.WriteLine($"bootstrap: skipped, ./build.sh --target=Status failed in {repositoryRoot}");
            return;
        }

        var stamped = await Measure.MedianAsync(repeats, () => BuildShAsync(repositoryRoot));
        var building = await Measure.MedianAsync(repeats, () =>
        {
            File.Delete(Path.Combine(repositoryRoot, Stamp));
            return BuildShAsync(repositoryRoot);
        });
        Console.WriteLine($"bootstrap: ./build.sh --target=Status, nothing changed, wall time, median of {repeats}");
        Console.WriteLine($"  up-to-date dotnet build first (no stamp) {Measure.Ms(building),10}");
        Console.WriteLine($"  stamp matches, no build                  {Measure.Ms(stamped),10}  {stamped / building:0.00}x");
    }

    private static Task<BufferedCommandResult> BuildShAsync(string folder) =>
        Cli.Wrap(Path.Combine(folder, "build.sh")).WithArguments("--target=Status").WithWorkingDirectory(folder)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
}
