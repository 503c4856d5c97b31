namespace Pipeline.Benchmarks;

/// <summary>
/// <c>Repro --force --jobs=4</c> on a diamond of sleeping stages (source 2 s -> left 6 s, right 6 s -> join 2 s, each
/// times <c>scale</c>), beside the same run with <c>--jobs=1</c>, the longest branch's own time (10 s times scale) and
/// an empty Cake run (the floor), medians.
/// </summary>
internal static class ParallelReproBenchmark
{
    private const string Stages = """
        static int Scale = int.Parse(System.Environment.GetEnvironmentVariable("DIAMOND_SCALE") ?? "1");
        static StageDefinition Sleeping(string name, int seconds, string[] deps) =>
            new(name, CommandLine.Of("sh", "-c", $"sleep {seconds * Scale} && mkdir -p out && echo {name} > out/{name}")) { Dependencies = [.. deps], Outputs = [$"out/{name}"] };
        sealed class Source : IStage { public StageDefinition Definition { get; } = Sleeping("source", 2, ["raw"]); }
        sealed class Left : IStage { public StageDefinition Definition { get; } = Sleeping("left", 6, ["out/source"]); }
        sealed class Right : IStage { public StageDefinition Definition { get; } = Sleeping("right", 6, ["out/source"]); }
        sealed class Join : IStage { public StageDefinition Definition { get; } = Sleeping("join", 2, ["out/left", "out/right"]); }
        """;

    public static async Task RunAsync(string repositoryRoot, string work, int repeats, int scale)
    {
        var longestBranch = TimeSpan.FromSeconds(10 * scale);
        Environment.SetEnvironmentVariable("DIAMOND_SCALE", scale.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var floorFolder = await CakeRepository.FloorAsync(repositoryRoot, Path.Combine(work, "floor"));
        var repository = await CakeRepository.CreateAsync(repositoryRoot, Path.Combine(work, "diamond"), Stages, "new IStage[] { new Source(), new Left(), new Right(), new Join() }", "unused: 1\n");
        await repository.CakeAsync("--target=Repro");
        var floor = await Measure.MedianAsync(repeats, () => CakeRepository.CakeIn(floorFolder));
        var sequential = await Measure.MedianAsync(repeats, () => repository.CakeAsync("--target=Repro", "--force"));
        var parallel = await Measure.MedianAsync(repeats, () => repository.CakeAsync("--target=Repro", "--force", "--jobs=4"));
        Console.WriteLine($"parallel repro: diamond of sleeping stages ({2 * scale} s -> {6 * scale} s, {6 * scale} s -> {2 * scale} s), wall time, median of {repeats}");
        Console.WriteLine($"  longest branch                          {Measure.Ms(longestBranch),10}");
        Console.WriteLine($"  dotnet cake, empty task (floor)         {Measure.Ms(floor),10}");
        Console.WriteLine($"  Repro --force --jobs=1                  {Measure.Ms(sequential),10}  {sequential / longestBranch:0.00}x the longest branch");
        Console.WriteLine($"  Repro --force --jobs=4                  {Measure.Ms(parallel),10}  {parallel / longestBranch:0.00}x the longest branch, {parallel / sequential:0.00}x --jobs=1");
        Console.WriteLine($"  --jobs=4 less the floor                 {Measure.Ms(parallel - floor),10}  {(parallel - floor) / longestBranch:0.00}x the longest branch");
    }
}
