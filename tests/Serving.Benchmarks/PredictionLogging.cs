using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Planets.Serving;

/// <summary>
/// What the prediction log costs: the service's HTTP throughput with <c>--prediction-log</c> against without, two
/// services in this process answering the same images at the same concurrency, rounds alternating, medians. With a
/// remote folder, the logging service also ships its complete files there every second, as in a cluster.
/// </summary>
internal static class PredictionLogging
{
    private const int Concurrency = 16;

    public static async Task RunAsync(string store, byte[][] images, int rounds, TimeSpan duration, string? remote)
    {
        var folder = Directory.CreateTempSubdirectory("prediction-log-benchmark-").FullName;
        string[] shipping = remote is null ? [] : ["--prediction-log-remote", remote, "--prediction-log-ship-seconds", "1"];
        try
        {
            await using var plain = await StartAsync(["--store", store, "--urls", "http://127.0.0.1:0"]);
            await using var logging = await StartAsync(["--store", store, "--urls", "http://127.0.0.1:0", "--prediction-log", folder, .. shipping]);
            Console.WriteLine($"{images.Length} images, {Environment.ProcessorCount} cores, concurrency {Concurrency}, {rounds} rounds of {duration.TotalSeconds} s each, alternating{(remote is null ? "" : $"; shipping to {remote}")}");
            await LoadAsync(plain.Client, images, TimeSpan.FromSeconds(2));
            await LoadAsync(logging.Client, images, TimeSpan.FromSeconds(2));
            var without = new List<double>();
            var with = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                without.Add(await LoadAsync(plain.Client, images, duration));
                with.Add(await LoadAsync(logging.Client, images, duration));
            }

            var (a, b) = (PreLabelling.Median(without), PreLabelling.Median(with));
            var logged = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
            var metrics = await logging.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var dropped = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("planets_prediction_log_dropped_total ", StringComparison.Ordinal))?.Split(' ')[1] ?? "0";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"without the log: median {a:F0} requests/s ({string.Join(", ", without.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"with the log:    median {b:F0} requests/s ({string.Join(", ", with.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))}); {logged / 1e6:F1} MB logged, {dropped} dropped"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"with / without: {b / a:F2}x"));
            if (remote is not null)
            {
                Console.WriteLine($"shipped while serving: {Directory.GetFiles(remote, "*", SearchOption.AllDirectories).Length} complete files of {Directory.GetFiles(folder).Length} in the log");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Service> StartAsync(string[] args)
    {
        var app = ServingApp.Build(args);
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        await PreLabelling.WaitReadyAsync(client);
        return new Service(app, client);
    }

    // Requests per second over the duration, Concurrency callers each sending the images in turn.
    private static async Task<double> LoadAsync(HttpClient client, byte[][] images, TimeSpan duration)
    {
        var watch = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async caller =>
        {
            var count = 0;
            while (watch.Elapsed < duration)
            {
                using var content = new ByteArrayContent(images[(caller + count) % images.Length]);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
                using var response = await client.PostAsync(new Uri("/predict", UriKind.Relative), content);
                response.EnsureSuccessStatusCode();
                count++;
            }

            return count;
        }));
        return counts.Sum() / watch.Elapsed.TotalSeconds;
    }

    private sealed record Service(Microsoft.AspNetCore.Builder.WebApplication App, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
