using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Containers;
using Pipeline.Testing.Containers;
using Planets.Build.Packaging;

// Usage: dotnet run -c Release --project tests/Containers.Benchmarks [-- ROUNDS]
// Needs the service bundle: ./build.sh --target=Build. Each round builds a "full" image (new service and new model:
// no layer cache, every layer of ours uploaded) and a "model-only" image (same service, new model), the way a
// release after retraining does. A nonce file makes each round's layers new without changing their size.
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var bundleFolder = Path.Combine(RepositoryPaths.Root, ServiceBundle.DefaultDirectory);
var bundle = await ServiceBundle.ReadAsync(bundleFolder, CancellationToken.None);
await using var docker = await DockerServers.StartAsync();
using var engine = await DockerEngine.ConnectAsync(docker.DockerHost, CancellationToken.None);
var builder = new ImageBuilder(engine);
var pusher = new ImagePusher(engine);
var work = Directory.CreateTempSubdirectory("image-bench-").FullName;
var full = new List<(double Build, double Push, int Uploaded)>();
var modelOnly = new List<(double Build, double Push, int Uploaded)>();
BuiltImage? last = null;
try
{
    for (var round = 1; round <= rounds; round++)
    {
        var copy = Copy(bundle, Path.Combine(work, $"round-{round}"));
        Nonce(copy, ServiceBundle.AppFolder, $"full-{round}");
        Nonce(copy, ServiceBundle.ModelsFolder, $"full-{round}");
        var (_, f) = await MeasureAsync(copy, $"full-{round}", noCache: true);
        full.Add(f);
        Nonce(copy, ServiceBundle.ModelsFolder, $"model-{round}");
        (last, var m) = await MeasureAsync(copy, $"model-{round}", noCache: false);
        modelOnly.Add(m);
        Console.WriteLine($"round {round}: full build {f.Build:F2} s + push {f.Push:F2} s ({f.Uploaded} layers); model-only build {m.Build:F2} s + push {m.Push:F2} s ({m.Uploaded} layers)");
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

var baseImage = await engine.Images.InspectImageAsync(DockerServers.BaseImage);
Console.WriteLine();
Console.WriteLine($"image: {last!.Size / 1e6:F1} MB = base stand-in {baseImage.Size / 1e6:F1} MB + service and model layers {(last.Size - baseImage.Size) / 1e6:F1} MB");
Report("full build + push", full);
Report("model-only rebuild + push", modelOnly);
Console.WriteLine($"model-only / full (build + push, medians): {Median(modelOnly.Select(t => t.Build + t.Push)) / Median(full.Select(t => t.Build + t.Push)):F3}");

async Task<(BuiltImage Image, (double Build, double Push, int Uploaded) Times)> MeasureAsync(ServiceBundle copy, string tag, bool noCache)
{
    var labels = ImmutableSortedDictionary<string, string>.Empty;
    var settings = ServiceImage.Settings(copy, DockerServers.BaseImage, [ImageReference.Parse($"planets-service:{tag}")], labels) with { NoCache = noCache };
    var clock = Stopwatch.StartNew();
    var image = await builder.BuildAsync(settings, new RecordingLog(), CancellationToken.None);
    var build = clock.Elapsed.TotalSeconds;
    clock.Restart();
    var pushed = await pusher.PushAsync(image.Id, ImageReference.Parse($"{docker.Registry}/bench/planets-service:{tag}"), null, new RecordingLog(), CancellationToken.None);
    return (image, (build, clock.Elapsed.TotalSeconds, pushed.LayersPushed));
}

static ServiceBundle Copy(ServiceBundle bundle, string target)
{
    foreach (var file in Directory.EnumerateFiles(bundle.Directory, "*", SearchOption.AllDirectories))
    {
        var destination = Path.Combine(target, Path.GetRelativePath(bundle.Directory, file));
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(file, destination);
    }

    return bundle with { Directory = target };
}

static void Nonce(ServiceBundle bundle, string folder, string value) =>
    File.WriteAllText(Path.Combine(bundle.Directory, folder, ".benchmark-nonce"), value);

static void Report(string what, List<(double Build, double Push, int Uploaded)> times) =>
    Console.WriteLine($"{what}: median build {Median(times.Select(t => t.Build)):F2} s, push {Median(times.Select(t => t.Push)):F2} s, total {Median(times.Select(t => t.Build + t.Push)):F2} s, layers uploaded {Median(times.Select(t => (double)t.Uploaded)):F0}");

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
