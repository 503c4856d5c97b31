using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Core.Tracking;
using Pipeline.Core.Workspace;
using Pipeline.Remotes;
using Pipeline.Remotes.Configuration;
using Pipeline.Remotes.S3;
using Pipeline.Storage.Objects;
using Pipeline.Testing.S3;
using Remotes.Benchmarks;

// Usage (from the repository root): dotnet run -c Release --project tests/Remotes.Benchmarks -- [--dataset PATH] [--repeats N] [--jobs N] [--small N] [--latency-ms N] [--sets dataset,small,latency]
var dataset = Option("--dataset") ?? "../shared/datasets/planets-moons/raw";
var repeats = int.Parse(Option("--repeats") ?? "3", CultureInfo.InvariantCulture);
var jobs = int.Parse(Option("--jobs") ?? TransferOptions.DefaultJobs.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
var smallCount = int.Parse(Option("--small") ?? "10000", CultureInfo.InvariantCulture);
var latency = int.Parse(Option("--latency-ms") ?? "5", CultureInfo.InvariantCulture);
var sets = (Option("--sets") ?? "dataset,small,latency").Split(',');
var work = Path.Combine(Path.GetTempPath(), "remotes-benchmarks", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
using var server = await S3Server.StartFauxqsAsync();
using var proxy = new LatencyProxy(server.Endpoint, TimeSpan.FromMilliseconds(latency));
var endpoint = server.Endpoint;
var sdk = new SdkLoops(endpoint);
var checkoutTimes = new List<TimeSpan>();
Console.WriteLine($"S3 server: fauxqs 2.4.1 on Node 24 at {server.Endpoint}; jobs {jobs}; median of {repeats}; {Environment.ProcessorCount} cores");
try
{
    if (!Directory.Exists(dataset))
    {
        Console.WriteLine($"dataset: skipped, '{dataset}' does not exist (pass --dataset PATH)");
    }
    else if (sets.Contains("dataset"))
    {
        await RunAsync("dataset (1,605 files)", Path.GetFullPath(dataset));
    }

    if (sets.Contains("small"))
    {
        await RunAsync($"{smallCount:N0} small files", GenerateSmallFiles(Path.Combine(work, "small-source"), smallCount));
    }

    if (sets.Contains("latency") && latency > 0 && Directory.Exists(dataset))
    {
        // The same server behind a delay per request: the regime of a real bucket across a network.
        endpoint = proxy.Endpoint;
        sdk.Dispose();
        sdk = new SdkLoops(endpoint);
        await RunAsync($"dataset (1,605 files), {latency} ms added per request", Path.GetFullPath(dataset));
    }
}
finally
{
    foreach (var file in Directory.EnumerateFiles(work, "*", SearchOption.AllDirectories))
    {
        File.SetAttributes(file, FileAttributes.Normal);
    }

    Directory.Delete(work, recursive: true);
    sdk.Dispose();
}

async Task RunAsync(string name, string source)
{
    var repo = Path.Combine(work, Guid.NewGuid().ToString("N"));
    CopyFolder(source, Path.Combine(repo, "data"));
    await using (var workspace = await OpenAsync(repo))
    {
        await new TrackedData(workspace).AddAsync("data", [], CancellationToken.None);
    }

    var files = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Select(p => (Key: Path.GetRelativePath(source, p).Replace('\\', '/'), Path: p)).ToList();
    var bytes = files.Sum(f => new FileInfo(f.Path).Length);
    var pushed = await NewRemoteAsync();
    await PushAsync(repo, pushed);
    var bucket = await NewBucketAsync();
    await sdk.PutParallelAsync(bucket, files, jobs);

    // Interleaved, one repeat of each after the other, so that noise from other work on the machine hits all alike.
    var results = await MediansAsync(new Dictionary<string, Func<Task>>
    {
        ["push: pipeline Push"] = async () => await PushAsync(repo, await NewRemoteAsync()),
        ["push: pipeline Push, all there"] = () => PushAsync(repo, pushed),
        ["push: sequential PutObject"] = async () => await sdk.PutSequentialAsync(await NewBucketAsync(), files),
        ["push: parallel PutObject"] = async () => await sdk.PutParallelAsync(await NewBucketAsync(), files, jobs),
        ["pull: pipeline Pull"] = () => PullAsync(repo, pushed, checkout: true),
        ["pull: pipeline Fetch only"] = () => PullAsync(repo, pushed, checkout: false),
        ["pull: sequential GetObject"] = () => sdk.GetSequentialAsync(bucket, Targets(files)),
        ["pull: parallel GetObject"] = () => sdk.GetParallelAsync(bucket, Targets(files), jobs),
        ["pull: parallel Get + fsync"] = () => sdk.GetParallelAsync(bucket, Targets(files), jobs, flushToDisk: true),
    });
    Report(name, files.Count, bytes, results);
    Console.WriteLine($"  of the pull, its checkout alone: {checkoutTimes.Order().ElementAt(checkoutTimes.Count / 2).TotalMilliseconds:0} ms (median)");
    checkoutTimes.Clear();
}

async Task<Dictionary<string, TimeSpan>> MediansAsync(Dictionary<string, Func<Task>> actions)
{
    var times = actions.Keys.ToDictionary(k => k, _ => new List<TimeSpan>());
    for (var i = 0; i < repeats; i++)
    {
        foreach (var (label, action) in actions)
        {
            // The cache's syncfs would otherwise also write out what the loop before it left unwritten: each method
            // starts with nothing pending and pays only for its own durability.
            await FlushFileSystemsAsync();
            var clock = Stopwatch.StartNew();
            await action();
            times[label].Add(clock.Elapsed);
        }
    }

    return times.ToDictionary(t => t.Key, t => t.Value.Order().ElementAt(t.Value.Count / 2));
}

async Task PushAsync(string repo, RemoteDefinition remote)
{
    await using var workspace = await OpenAsync(repo);
    using var s3 = KindsOf().Open(remote, repo);
    var roots = (await WorkspaceReferences.ReadAsync(workspace, CancellationToken.None)).Select(p => p.Content.Hash);
    var summary = await new RemoteTransfer(workspace.Cache, s3, new TransferOptions(jobs, RetryPolicy.Default), SilentProgress.Instance).PushAsync(roots, CancellationToken.None);
    Check(summary);
}

// A pull into a fresh clone: only the pointer file, an empty cache; fetch, then check out.
async Task PullAsync(string repo, RemoteDefinition remote, bool checkout)
{
    var clone = Path.Combine(work, Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(clone);
    File.Copy(Path.Combine(repo, "data.ptr"), Path.Combine(clone, "data.ptr"));
    await using var workspace = await OpenAsync(clone);
    using var s3 = KindsOf().Open(remote, clone);
    var roots = (await WorkspaceReferences.ReadAsync(workspace, CancellationToken.None)).Select(p => p.Content.Hash);
    Check(await new RemoteTransfer(workspace.Cache, s3, new TransferOptions(jobs, RetryPolicy.Default), SilentProgress.Instance).FetchAsync(roots, CancellationToken.None));
    if (!checkout)
    {
        return;
    }

    var clock = Stopwatch.StartNew();
    if ((await new WorkspaceCheckout(workspace).RunAsync(CancellationToken.None)).Failed is [var failed, ..])
    {
        throw new InvalidOperationException("checkout failed: " + failed.Why);
    }

    checkoutTimes.Add(clock.Elapsed);
}

List<(string Key, string Path)> Targets(List<(string Key, string Path)> files)
{
    var folder = Path.Combine(work, Guid.NewGuid().ToString("N"));
    return [.. files.Select(f => (f.Key, Path.Combine(folder, f.Key)))];
}

static RemoteKinds KindsOf() => new RemoteKinds().Add(new S3RemoteKind());

async Task<RemoteDefinition> NewRemoteAsync() => new("bench", $"s3://{await NewBucketAsync()}/cache")
{
    Settings = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, RemoteSetting>
    {
        ["endpoint"] = new(endpoint, RemoteConfigFile.FileName),
        ["path-style"] = new("true", RemoteConfigFile.FileName),
        ["access-key-id"] = new("bench", RemoteConfigFile.LocalFileName, IsSecret: true),
        ["secret-access-key"] = new("bench-secret", RemoteConfigFile.LocalFileName, IsSecret: true),
    }),
};

async Task<string> NewBucketAsync()
{
    var bucket = "bench-" + Guid.NewGuid().ToString("N")[..12];
    await sdk.CreateBucketAsync(bucket);
    return bucket;
}

static async Task FlushFileSystemsAsync()
{
    using var sync = Process.Start("sync") ?? throw new InvalidOperationException("cannot start sync");
    await sync.WaitForExitAsync();
}

static Task<PipelineWorkspace> OpenAsync(string root) => PipelineWorkspace.OpenAsync(root, new PipelineSettings(), CancellationToken.None);

static void Check(TransferSummary summary)
{
    if (summary.Failed.Count > 0)
    {
        throw new InvalidOperationException(summary.DescribeFailures());
    }
}

static void Report(string name, int files, long bytes, Dictionary<string, TimeSpan> results)
{
    Console.WriteLine($"\n{name}: {files:N0} files, {bytes / 1e6:0.0} MB");
    foreach (var direction in new[] { "push", "pull" })
    {
        var ours = results[direction == "push" ? "push: pipeline Push" : "pull: pipeline Pull"];
        var sequential = results.First(r => r.Key.StartsWith(direction + ": sequential", StringComparison.Ordinal)).Value;
        var parallel = results.First(r => r.Key.StartsWith(direction + ": parallel", StringComparison.Ordinal)).Value;
        foreach (var (label, time) in results.Where(r => r.Key.StartsWith(direction, StringComparison.Ordinal)))
        {
            Console.WriteLine($"  {label,-28} {time.TotalMilliseconds,9:0} ms  {files / time.TotalSeconds,7:0} files/s");
        }

        Console.WriteLine($"  {direction}: {sequential / ours:0.00}x faster than sequential; {ours / parallel:0.00}x the time of the parallel SDK loop");
        if (results.TryGetValue(direction + ": pipeline Fetch only", out var fetch))
        {
            Console.WriteLine($"  fetch only: {sequential / fetch:0.00}x faster than sequential; {fetch / parallel:0.00}x the time of the parallel SDK loop");
            var durable = results["pull: parallel Get + fsync"];
            Console.WriteLine($"  against the parallel loop that also fsyncs each file: fetch {fetch / durable:0.00}x, pull {ours / durable:0.00}x the time");
        }
    }
}

static string GenerateSmallFiles(string folder, int count)
{
    var random = new Random(42);
    for (var i = 0; i < count; i++)
    {
        var path = Path.Combine(folder, $"{i % 100:D2}", $"file{i:D6}.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var content = new byte[512 + random.Next(3584)];
        random.NextBytes(content);
        File.WriteAllBytes(path, content);
    }

    return folder;
}

static void CopyFolder(string source, string target)
{
    foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
    {
        var destination = Path.Combine(target, Path.GetRelativePath(source, file));
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(file, destination);
    }
}

string? Option(string option)
{
    var index = Array.IndexOf(args, option);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
