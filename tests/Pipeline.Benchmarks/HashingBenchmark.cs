using CliWrap;
using CliWrap.Buffered;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.State;

namespace Pipeline.Benchmarks;

/// <summary>
/// Hashing throughput of the engine, with each algorithm, beside coreutils md5sum on the same files, all in the page
/// cache: one core against md5sum, then every core against md5sum run once per core.
/// </summary>
internal static class HashingBenchmark
{
    private const int FileCount = 8;
    private const int FileSize = 64 << 20;

    public static async Task RunAsync(string workFolder, int repeats)
    {
        var folder = Path.Combine(workFolder, "hashing");
        var files = CreateFiles(folder);
        var bytes = (long)FileCount * FileSize;
        var cores = Environment.ProcessorCount;

        var md5sum = await Measure.MedianAsync(repeats, () => Md5sumAsync(files, 1));
        var md5sumAllCores = await Measure.MedianAsync(repeats, () => Md5sumAsync(files, cores));
        Console.WriteLine($"hashing: {FileCount} files x {FileSize >> 20} MiB, median of {repeats}, {cores} cores");
        Console.WriteLine($"  md5sum, 1 process                     {Measure.MBps(bytes, md5sum),12}");
        Console.WriteLine($"  md5sum, {cores} processes (xargs)          {Measure.MBps(bytes, md5sumAllCores),12}");
        foreach (var algorithm in ContentHashAlgorithm.All)
        {
            var oneCore = await Measure.MedianAsync(repeats, () => EngineAsync(folder, algorithm, 1));
            var allCores = await Measure.MedianAsync(repeats, () => EngineAsync(folder, algorithm, cores));
            Console.WriteLine($"  engine {algorithm.Name,-6}, 1 thread             {Measure.MBps(bytes, oneCore),12}  ratio to md5sum per core: {md5sum / oneCore:0.00}x");
            Console.WriteLine($"  engine {algorithm.Name,-6}, {cores} threads            {Measure.MBps(bytes, allCores),12}  ratio to md5sum x{cores}: {md5sumAllCores / allCores:0.00}x, speed-up over 1 thread: {oneCore / allCores:0.00}x");
        }

        Directory.Delete(folder, recursive: true);
    }

    private static List<string> CreateFiles(string folder)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(77);
        var buffer = new byte[FileSize];
        var files = new List<string>();
        for (var i = 0; i < FileCount; i++)
        {
            random.NextBytes(buffer);
            var path = Path.Combine(folder, $"blob{i}.bin");
            File.WriteAllBytes(path, buffer);
            files.Add(path);
        }

        return files;
    }

    private static Task Md5sumAsync(List<string> files, int processes) =>
        Cli.Wrap("sh")
            .WithArguments(["-c", $"printf '%s\\n' \"$@\" | xargs -P {processes} -n {Math.Max(1, files.Count / processes)} md5sum > /dev/null", "sh", .. files])
            .ExecuteBufferedAsync();

    // A fresh state database each time, so every file is really read.
    private static Task<DirectoryManifest> EngineAsync(string folder, ContentHashAlgorithm algorithm, int threads) =>
        new ContentHasher(StateDatabase.InMemory(), algorithm, threads).HashDirectoryAsync(folder, CancellationToken.None);
}
