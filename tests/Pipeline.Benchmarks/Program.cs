using Pipeline.Benchmarks;

// Usage (from the repository root): dotnet run -c Release --project tests/Pipeline.Benchmarks -- [hashing|status|cake|bootstrap|parallel|experiments|exp-show|metrics-history|all] [--dataset PATH] [--repeats N] [--rounds N] [--scale N]
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var dataset = Option("--dataset") ?? "../shared/datasets/planets-moons/raw";
var repeats = int.Parse(Option("--repeats") ?? "7", System.Globalization.CultureInfo.InvariantCulture);
var rounds = int.Parse(Option("--rounds") ?? "5", System.Globalization.CultureInfo.InvariantCulture);
var scale = int.Parse(Option("--scale") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
var work = Path.Combine(Path.GetTempPath(), "pipeline-benchmarks", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
try
{
    if (what is "hashing" or "all")
    {
        await HashingBenchmark.RunAsync(work, repeats);
    }

    if (what is "status" or "all")
    {
        if (Directory.Exists(dataset))
        {
            await StatusBenchmark.RunAsync("dataset", Path.GetFullPath(dataset), work, repeats);
        }
        else
        {
            Console.WriteLine($"status dataset: skipped, '{dataset}' does not exist (pass --dataset PATH)");
        }

        await StatusBenchmark.RunAsync("100k", SmallFiles.Create(Path.Combine(work, "small"), 100_000), work, repeats);
    }

    if (what is "cake" or "all")
    {
        await CakeBenchmark.RunAsync(Directory.GetCurrentDirectory(), work, repeats);
    }

    if (what is "bootstrap" or "all")
    {
        await BootstrapBenchmark.RunAsync(Directory.GetCurrentDirectory(), repeats);
    }

    if (what is "parallel" or "all")
    {
        await ParallelReproBenchmark.RunAsync(Directory.GetCurrentDirectory(), work, Math.Min(repeats, 3), scale);
    }

    if (what is "experiments" or "all")
    {
        await ExperimentsBenchmark.RunAsync(Directory.GetCurrentDirectory(), work, repeats, rounds);
    }

    if (what is "metrics-history" or "all")
    {
        await MetricsHistoryBenchmark.RunAsync(work, repeats, 1000 * scale);
    }

    if (what is "exp-show")
    {
        await ExperimentsBenchmark.ShowAsync(Directory.GetCurrentDirectory(), work, repeats);
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
