using CliWrap;
using CliWrap.Buffered;

namespace Pipeline.Benchmarks;

/// <summary>
/// Wall time of a no-op <c>dotnet cake --target=Repro</c> in the repository (every stage up to date), beside the floor
/// of any Cake run: a script with one empty task, same cake.config, script cache warm in both.
/// </summary>
internal static class CakeBenchmark
{
    public static async Task RunAsync(string repositoryRoot, string workFolder, int repeats)
    {
        var first = await CakeAsync(repositoryRoot, "--target=Repro");
        if (first.ExitCode != 0)
        {
            Console.WriteLine($"cake: skipped, Repro failed in {repositoryRoot} (build it first: ./build.sh --target=Repro)");
            return;
        }

        var empty = Path.Combine(workFolder, "empty-cake");
        Directory.CreateDirectory(Path.Combine(empty, ".config"));
        File.Copy(Path.Combine(repositoryRoot, ".config", "dotnet-tools.json"), Path.Combine(empty, ".config", "dotnet-tools.json"));
        File.Copy(Path.Combine(repositoryRoot, "cake.config"), Path.Combine(empty, "cake.config"));
        await File.WriteAllTextAsync(Path.Combine(empty, "build.cake"), "Task(\"Default\");\nRunTarget(\"Default\");\n");
        await CakeAsync(empty);

        var floor = await Measure.MedianAsync(repeats, () => CakeAsync(empty));
        var noOp = await Measure.MedianAsync(repeats, () => CakeAsync(repositoryRoot, "--target=Repro"));
        Console.WriteLine($"cake: wall time, median of {repeats}");
        Console.WriteLine($"  dotnet cake, empty task (floor)     {Measure.Ms(floor),10}");
        Console.WriteLine($"  dotnet cake --target=Repro, no-op   {Measure.Ms(noOp),10}  (+{Measure.Ms(noOp - floor)} over the floor)");
    }

    private static Task<BufferedCommandResult> CakeAsync(string folder, params string[] arguments) =>
        Cli.Wrap("dotnet").WithArguments(["cake", .. arguments]).WithWorkingDirectory(folder)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
}
