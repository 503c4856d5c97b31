using System.Globalization;
using System.Net.Http.Headers;
using Pipeline.Monitoring;
using Planets.Ml.Common;
using Planets.Ml.Data;
using Planets.Serving;
using SkiaSharp;

/// <summary>
/// Whether monitoring tells drift from no drift, measured end to end: the service, started with
/// <c>--prediction-log</c>, answers each set of images over HTTP; its log is then compared with the repository's
/// reference (the reference stage's training images) by the same drift tests and thresholds as <c>Monitor</c>. The
/// sets: the held-out test images (prepare's very test split: no drift expected), the extra images (other sources),
/// and the test images made brighter or blurred.
/// </summary>
internal static class DriftMeasurement
{
    public static async Task RunAsync(string store, string referenceFile, string raw, string extra, int seed, double split)
    {
        var reference = (await PredictionLogReader.ReadFileAsync(referenceFile, CancellationToken.None)).Records;
        var test = TestSplit(raw, seed, split).Select(File.ReadAllBytes).ToArray();
        var extras = Directory.GetFiles(extra, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        (string Name, byte[][] Images)[] sets =
        [
            ("held-out test images", test),
            ("extra images", extras),
            ("test images, brightness x1.6", [.. test.Select(i => Transformed(i, Brighter))]),
            ("test images, Gaussian blur sigma 4", [.. test.Select(i => Transformed(i, Blurred))]),
        ];
        Console.WriteLine($"reference: {reference.Count} rows of {reference[0].Model} ({referenceFile}); thresholds as Monitor's defaults: {new DriftSettings()}");
        foreach (var (name, images) in sets)
        {
            var logged = await LogPredictionsAsync(store, images);
            var result = DriftAnalysis.Compare(reference, logged, new DriftSettings());
            var scores = string.Join(", ", result.Columns.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Column} {c.Score:0.###}{(c.Drifted ? "*" : "")}")));
            Console.WriteLine($"{name} ({images.Length}, model {logged[0].Model}): {scores}");
            Console.WriteLine($"  {result.Summary()}");
        }
    }

    // Prepare's rule: the file list shuffled by NumPy's RandomState(seed), the last floor(split * n) the test set.
    private static IEnumerable<string> TestSplit(string raw, int seed, double split)
    {
        var dataset = RawDataset.Scan(raw);
        var order = new NumpyRandomState((uint)seed).Permutation(dataset.Images.Count);
        return order[^(int)(split * dataset.Images.Count)..].Select(i => dataset.Images[i].Path);
    }

    private static async Task<IReadOnlyList<PredictionRecord>> LogPredictionsAsync(string store, byte[][] images)
    {
        var folder = Directory.CreateTempSubdirectory("drift-measurement-").FullName;
        try
        {
            var app = ServingApp.Build(["--store", store, "--urls", "http://127.0.0.1:0", "--prediction-log", folder]);
            await app.StartAsync();
            using (var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) })
            {
                await PreLabelling.WaitReadyAsync(client);
                foreach (var image in images)
                {
                    using var content = new ByteArrayContent(image);
                    content.Headers.ContentType = MediaTypeHeaderValue.Parse(image is [0x89, 0x50, 0x4E, 0x47, ..] ? "image/png" : "image/jpeg");
                    using var response = await client.PostAsync(new Uri("/predict", UriKind.Relative), content);
                    response.EnsureSuccessStatusCode();
                }
            }

            // Stopping the service writes what is queued and completes the open log file.
            await app.StopAsync();
            await app.DisposeAsync();
            return (await PredictionLogReader.ReadFolderAsync(folder, null, CancellationToken.None)).Records;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static readonly SKColorFilter Brighter = SKColorFilter.CreateColorMatrix(
    [
        1.6f, 0, 0, 0, 0,
        0, 1.6f, 0, 0, 0,
        0, 0, 1.6f, 0, 0,
        0, 0, 0, 1, 0,
    ]);

    private static readonly SKImageFilter Blurred = SKImageFilter.CreateBlur(4, 4);

    private static byte[] Transformed(byte[] image, SKColorFilter filter) => Draw(image, new SKPaint { ColorFilter = filter });

    private static byte[] Transformed(byte[] image, SKImageFilter filter) => Draw(image, new SKPaint { ImageFilter = filter });

    private static byte[] Draw(byte[] image, SKPaint paint)
    {
        using (paint)
        using (var bitmap = SKBitmap.Decode(image))
        using (var surface = SKSurface.Create(new SKImageInfo(bitmap.Width, bitmap.Height)))
        {
            surface.Canvas.DrawBitmap(bitmap, 0, 0, paint);
            using var snapshot = surface.Snapshot();
            using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
            return png.ToArray();
        }
    }
}
