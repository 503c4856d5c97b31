using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using CliWrap;
using CliWrap.Buffered;
using Pipeline.Core.Experiments;

namespace Pipeline.Benchmarks;

/// <summary>
/// Experiments: a sweep of 8 CPU-bound experiments with <c>ExpRun --jobs=2</c> beside <c>--jobs=1</c>; 100 short queued
/// experiments with <c>--jobs=4</c>, counting failures, several rounds; <c>ExpShow</c> over 1,000 records beside an
/// empty Cake run, and <c>pipeline exp show</c> (no Cake) beside it (alone: <c>exp-show</c>).
/// </summary>
internal static class ExperimentsBenchmark
{
    // train burns about 2 s of one core (sha256 of 250 MB of zeros); prepare is restored from the run-cache after the first experiment.
    private const string Stages = """
        sealed class Prepare : IStage
        {
            public StageDefinition Definition { get; } = new("prepare", CommandLine.Of("sh", "-c", "mkdir -p out && cat raw/* > out/prepared"))
            { Dependencies = ["raw"], Outputs = ["out/prepared"] };
        }
        sealed class Train : IStage
        {
            public StageDefinition Definition { get; } = new("train", CommandLine.Of("sh", "-c", "if [ \"$(sed -n 's/^  work: //p' params.yaml)\" = cpu ]; then head -c 250M /dev/zero | sha256sum > out/model; else cat params.yaml > out/model; fi"))
            { Dependencies = ["out/prepared"], Parameters = ["train"], Outputs = ["out/model"] };
        }
        sealed class Evaluate : IStage
        {
            public StageDefinition Definition { get; } = new("evaluate", CommandLine.Of("sh", "-c", "printf '{\"acc\": 0.%s}' $(sed -n 's/^  lr: //p' params.yaml) > out/metrics.json"))
            { Dependencies = ["out/model"], Metrics = ["out/metrics.json"] };
        }
        """;

    private static readonly string[] MetricNames = ["val_acc", "val_loss", "test_acc", "test_loss"];

    public static async Task RunAsync(string repositoryRoot, string work, int repeats, int rounds)
    {
        var repository = await CakeRepository.CreateAsync(
            repositoryRoot, Path.Combine(work, "experiments"), Stages, "new IStage[] { new Prepare(), new Train(), new Evaluate() }", "train:\n  lr: 1\n  work: cpu\n");
        await repository.CakeAsync("--target=Repro");
        await SweepAsync(repository, Math.Min(repeats, 3));
        await ManyAsync(repository, rounds);
        await ShowAsync(repositoryRoot, work, repeats);
    }

    private static async Task SweepAsync(CakeRepository repository, int repeats)
    {
        var sequential = new List<TimeSpan>();
        var parallel = new List<TimeSpan>();
        for (var i = 0; i < repeats; i++)
        {
            sequential.Add(await QueueAndRunAsync(repository, $"seq{i}", $"range({100 * i + 10},{100 * i + 18})", "--jobs=1"));
            parallel.Add(await QueueAndRunAsync(repository, $"par{i}", $"range({100 * i + 50},{100 * i + 58})", "--jobs=2"));
        }

        var (s, p) = (Median(sequential), Median(parallel));
        Console.WriteLine($"experiments: a sweep of 8 (train ~2 s of one core each), queue then ExpRun, wall time, median of {repeats}, {Environment.ProcessorCount} cores");
        Console.WriteLine($"  ExpRun --jobs=1                        {Measure.Ms(s),10}");
        Console.WriteLine($"  ExpRun --jobs=2                        {Measure.Ms(p),10}  {p / s:0.00}x --jobs=1");
    }

    private static async Task<TimeSpan> QueueAndRunAsync(CakeRepository repository, string name, string sweep, string jobs)
    {
        await repository.CakeAsync("--target=Exp", "--queue", $"--name={name}", $"--set=train.lr={sweep}");
        return await repository.CakeAsync("--target=ExpRun", jobs);
    }

    private static async Task ManyAsync(CakeRepository repository, int rounds)
    {
        Console.WriteLine($"experiments: 100 short queued experiments, ExpRun --jobs=4, {rounds} rounds");
        var total = 0;
        for (var round = 0; round < rounds; round++)
        {
            var name = $"many{round}";
            await repository.CakeAsync("--target=Exp", "--queue", $"--name={name}", $"--set=train.lr=range({1000 * (round + 1)},{1000 * (round + 1) + 100})", "--set=train.work=short");
            var clock = Stopwatch.StartNew();
            var result = await repository.TryCakeAsync("--target=ExpRun", "--jobs=4");
            var records = await new ExperimentStore(Path.Combine(repository.Root, ".pipeline", "experiments")).ListAsync(CancellationToken.None);
            var mine = records.Where(r => r.Name.StartsWith(name + "-", StringComparison.Ordinal)).ToList();
            var failed = 100 - mine.Count(r => r.Status == ExperimentStatus.Succeeded);
            total += failed;
            Console.WriteLine($"  round {round + 1}: {mine.Count} recorded, {failed} failed, exit code {result.ExitCode}, {clock.Elapsed.TotalSeconds:0.0} s");
        }

        Console.WriteLine($"  failures in all rounds: {total}");
    }

    public static async Task ShowAsync(string repositoryRoot, string work, int repeats)
    {
        var repository = await CakeRepository.CreateAsync(
            repositoryRoot, Path.Combine(work, "show"), Stages, "new IStage[] { new Prepare(), new Train(), new Evaluate() }", "train:\n  lr: 1\n  work: short\n");
        var store = new ExperimentStore(Path.Combine(repository.Root, ".pipeline", "experiments"));
        var lockText = await File.ReadAllTextAsync(Path.Combine(repositoryRoot, "pipeline.lock"));
        for (var i = 0; i < 1000; i++)
        {
            await store.SaveAsync(Record(i, lockText), CancellationToken.None);
        }

        var floorFolder = await CakeRepository.FloorAsync(repositoryRoot, Path.Combine(work, "floor"));
        var floor = await Measure.MedianAsync(repeats, () => CakeRepository.CakeIn(floorFolder));
        var table = await Measure.MedianAsync(repeats, () => repository.CakeAsync("--target=ExpShow", "--sort-by=metrics.json:val_acc", "--out=table.txt"));
        var json = await Measure.MedianAsync(repeats, () => repository.CakeAsync("--target=ExpShow", "--format=json", "--out=table.json"));
        var tool = await Measure.MedianAsync(repeats, () => PipelineToolAsync(repository.Root, "exp", "show", "--sort-by=metrics.json:val_acc", "--out=tool.txt"));
        var toolJson = await Measure.MedianAsync(repeats, () => PipelineToolAsync(repository.Root, "exp", "show", "--format=json", "--out=tool.json"));
        var inProcess = await Measure.MedianAsync(repeats, async () => ExperimentTable.Of(await store.ListAsync(CancellationToken.None), all: false, "metrics.json:val_acc"));
        Console.WriteLine($"experiments: ExpShow over 1,000 records (12 parameters, 4 metrics, this repository's lock file each), median of {repeats}");
        Console.WriteLine($"  dotnet cake, empty task (floor)        {Measure.Ms(floor),10}");
        Console.WriteLine($"  ExpShow --sort-by, table               {Measure.Ms(table),10}  (+{Measure.Ms(table - floor)} over the floor)");
        Console.WriteLine($"  ExpShow --format=json                  {Measure.Ms(json),10}  (+{Measure.Ms(json - floor)} over the floor)");
        Console.WriteLine($"  pipeline exp show --sort-by (no Cake)  {Measure.Ms(tool),10}  ({tool / table:0.00}x ExpShow)");
        Console.WriteLine($"  pipeline exp show --format=json        {Measure.Ms(toolJson),10}  ({toolJson / json:0.00}x ExpShow)");
        Console.WriteLine($"  read 1,000 records and sort, in process {Measure.Ms(inProcess),9}");
        if (await File.ReadAllTextAsync(Path.Combine(repository.Root, "tool.txt")) != await File.ReadAllTextAsync(Path.Combine(repository.Root, "table.txt")))
        {
            throw new InvalidOperationException("pipeline exp show and ExpShow printed different tables");
        }
    }

    // As a user runs the tool: its own process, through the dotnet host.
    private static Task PipelineToolAsync(string folder, params string[] arguments) =>
        Cli.Wrap("dotnet").WithArguments([Path.Combine(AppContext.BaseDirectory, "pipeline.dll"), .. arguments]).WithWorkingDirectory(folder)
            .ExecuteBufferedAsync();

    private static ExperimentRecord Record(int i, string lockText)
    {
        var parameters = Enumerable.Range(0, 12).ToImmutableSortedDictionary(
            p => $"train.p{p:00}", p => (p == 0 ? i % 37 : p).ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var metrics = MetricNames.ToImmutableSortedDictionary(
            m => $"metrics.json:{m}", m => ((i * 7919 + m.Length) % 1000 / 1000.0).ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return new ExperimentRecord($"bench-{i}", new string('a', 40), DateTimeOffset.UnixEpoch.AddMinutes(i), ExperimentStatus.Succeeded,
            parameters.Where(p => p.Key == "train.p00").ToImmutableSortedDictionary(StringComparer.Ordinal), parameters, metrics, lockText, null);
    }

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
}
