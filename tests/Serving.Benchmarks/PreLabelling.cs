using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Planets.Serving;
using Planets.Serving.LabelStudio;

/// <summary>
/// Pre-labelling 1,000 images through the Label Studio backend's <c>POST /label-studio/predict</c>, over real HTTP
/// to the service in this process: 32 tasks per request (what the backend is built for) against one task per request
/// (what a Label Studio server falls back to with a backend that answers only the first task), rounds alternating, medians.
/// </summary>
internal static class PreLabelling
{
    private const int Images = 1000;
    private const int Batch = 32;

    public static async Task RunAsync(string store, string imagesFolder, int rounds, IReadOnlyList<string> labels)
    {
        var root = Path.GetFullPath(imagesFolder);
        var files = Directory.GetFiles(root, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(Images)
            .Select(f => Path.GetRelativePath(root, f)).ToList();
        await using var app = ServingApp.Build(["--store", store, "--urls", "http://127.0.0.1:0", "--label-studio-local-files", root]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromMinutes(5) };
        await WaitReadyAsync(http);
        var config = LabelConfig.ForLabels(labels);
        Console.WriteLine($"{files.Count} images from {root}, {Environment.ProcessorCount} cores, {rounds} rounds of each, alternating");
        await PredictAsync(http, config, files.Take(Batch * 2).ToList(), Batch);

        var batched = new List<double>();
        var single = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            batched.Add(await PredictAsync(http, config, files, Batch));
            single.Add(await PredictAsync(http, config, files, 1));
        }

        var (b, s) = (Median(batched), Median(single));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Batch} tasks per request: median {b:F2} s ({files.Count / b:F0} images/s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $" 1 task per request:  median {s:F2} s ({files.Count / s:F0} images/s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batched / single throughput: {s / b:F2}x"));
    }

    private static async Task<double> PredictAsync(HttpClient http, string config, List<string> files, int perRequest)
    {
        var watch = Stopwatch.StartNew();
        foreach (var chunk in files.Chunk(perRequest))
        {
            var body = new JsonObject
            {
                ["tasks"] = new JsonArray([.. chunk.Select((file, i) => (JsonNode)new JsonObject
                {
                    ["id"] = i,
                    ["data"] = new JsonObject { ["image"] = $"/data/local-files/?d={Uri.EscapeDataString(file).Replace("%2F", "/", StringComparison.Ordinal)}" },
                })]),
                ["project"] = "1.1764590400",
                ["label_config"] = config,
                ["params"] = new JsonObject { ["login"] = null, ["password"] = null, ["context"] = null },
            };
            using var response = await http.PostAsJsonAsync(new Uri("/label-studio/predict", UriKind.Relative), body);
            var answer = await response.Content.ReadFromJsonAsync<JsonObject>();
            if (!response.IsSuccessStatusCode || answer!["results"]!.AsArray().Any(r => r!["error"] is not null))
            {
                throw new InvalidOperationException($"pre-labelling failed: {answer?.ToJsonString()}");
            }
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Waits until the service's <c>/readyz</c> answers 200 (its model loaded), 15 s at most.</summary>
    public static async Task WaitReadyAsync(HttpClient http)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the service did not become ready");
    }

    /// <summary>The middle value (the upper one of an even count).</summary>
    public static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
