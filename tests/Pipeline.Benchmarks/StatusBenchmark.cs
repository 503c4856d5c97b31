using System.Diagnostics;
using Pipeline.Core.Execution;
using Pipeline.Core.Stages;
using Pipeline.Core.Status;
using Pipeline.Core.Workspace;

namespace Pipeline.Benchmarks;

/// <summary>
/// No-op status in process: a stage whose dependency is a large folder has run, nothing changed since, and status
/// must say so. Measured warm (state database loaded) and including opening the workspace (loading it from disk),
/// beside the floor of any such check: listing and stat-ing every file.
/// </summary>
internal static class StatusBenchmark
{
    public static async Task RunAsync(string label, string dataFolder, string workFolder, int repeats)
    {
        var root = Path.Combine(workFolder, "status-" + label);
        Directory.CreateDirectory(root);
        var stage = new StageDefinition("consume", CommandLine.Of("sh", "-c", "echo done > out.txt"))
        {
            Dependencies = [Path.GetRelativePath(root, dataFolder)],
            Outputs = ["out.txt"],
        };
        var settings = new PipelineSettings();
        await using (var workspace = await PipelineWorkspace.OpenAsync(root, settings, CancellationToken.None))
        {
            var clock = Stopwatch.StartNew();
            await new StageRunner(workspace, new ProcessCommandRunner(Stream.Null, Stream.Null), new SilentLog())
                .ReproduceAsync(stage, new ReproOptions(), CancellationToken.None);
            Console.WriteLine($"status {label}: first run (hash everything) {Measure.Ms(clock.Elapsed)}");
        }

        var files = Directory.EnumerateFiles(dataFolder, "*", SearchOption.AllDirectories).Count();
        var floor = await Measure.MedianAsync(repeats, () => Task.FromResult(StatAll(dataFolder)));
        await using var warm = await PipelineWorkspace.OpenAsync(root, settings, CancellationToken.None);
        var warmStatus = await Measure.MedianAsync(repeats, () => CheckAsync(warm, stage));
        var coldStatus = await Measure.MedianAsync(repeats, async () =>
        {
            await using var workspace = await PipelineWorkspace.OpenAsync(root, settings, CancellationToken.None);
            await CheckAsync(workspace, stage);
        });

        Console.WriteLine($"status {label}: {files} files, median of {repeats}");
        Console.WriteLine($"  list + stat every file (floor)          {Measure.Ms(floor),10}");
        Console.WriteLine($"  no-op status, state loaded              {Measure.Ms(warmStatus),10}  ({warmStatus / floor:0.0}x the floor)");
        Console.WriteLine($"  no-op status, incl. opening workspace   {Measure.Ms(coldStatus),10}");
        Directory.Delete(root, recursive: true);
    }

    private static async Task CheckAsync(PipelineWorkspace workspace, StageDefinition stage)
    {
        var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);
        var parameters = await workspace.LoadParametersAsync(CancellationToken.None);
        var status = await new StatusChecker(workspace.WorkTree, workspace.Hasher).CheckAsync(stage, lockFile.Find(stage.Name), parameters, CancellationToken.None);
        if (!status.IsUpToDate)
        {
            throw new InvalidOperationException("benchmark broken: the stage should be up to date, but " + status.Describe());
        }
    }

    private static long StatAll(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}
