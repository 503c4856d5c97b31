using System.Diagnostics;
using System.Net.Http.Headers;
using Pipeline.Monitoring;
using Planets.Models.Preprocessing;
using Planets.Serving.Inference;
using Pipeline.Testing.S3;

namespace Planets.Serving.Tests;

[Collection(ServiceGroup.Name)]
public sealed class PredictionLogTests(ServiceFixture service)
{
    [Fact]
    public async Task Each_prediction_is_logged_with_its_answer_the_images_features_and_the_embedding_never_the_image()
    {
        var id = Guid.NewGuid().ToString("N");
        var bytes = await File.ReadAllBytesAsync(service.SampleImages[2]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
        request.Headers.Add(PredictionMonitor.RequestIdHeader, id);
        using var response = await service.Client.SendAsync(request);
        var answer = await Http.ReadAnswerAsync(response);

        var record = Assert.Single(await RecordsAsync(r => r.RequestId == id, 1));

        Assert.Equal(answer.Prediction, record.PredictedLabel);
        Assert.Equal(answer.Probabilities.Max(p => p.Value), record.Confidence, 6);
        Assert.Equal(PredictionRecord.EntropyOf([.. answer.Probabilities.Select(p => p.Value)]), record.Entropy, 5);
        Assert.Equal(service.Model.Tag.ToString(), record.Model);
        var pixels = new ImagePreprocessor(service.Classifier.Preprocessing).Preprocess(bytes);
        Assert.Equal(ImageFeatures.Of(pixels), record.Features);
        Assert.Equal(16, record.Embedding!.Value.Length); // the fixture's dense_size
        Assert.InRange((DateTimeOffset.UtcNow - record.Time!.Value).TotalSeconds, 0, 60);
        var line = (await File.ReadAllLinesAsync(PredictionLog.LogFiles(service.PredictionLog)[^1])).Last(l => l.Contains(id, StringComparison.Ordinal));
        Assert.True(line.Length < 4096, "a record holds features, not the image");
    }

    [Fact]
    public async Task Each_image_of_a_batch_request_is_logged_under_the_requests_id_and_its_index()
    {
        var id = Guid.NewGuid().ToString("N");
        using var form = new MultipartFormDataContent();
        foreach (var path in service.SampleImages.Take(3))
        {
            var part = new ByteArrayContent(await File.ReadAllBytesAsync(path));
            part.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
            form.Add(part, "files", Path.GetFileName(path));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict/batch") { Content = form };
        request.Headers.Add(PredictionMonitor.RequestIdHeader, id);
        using var response = await service.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();

        var records = await RecordsAsync(r => r.RequestId?.StartsWith(id, StringComparison.Ordinal) == true, 3);

        Assert.Equal([$"{id}/0", $"{id}/1", $"{id}/2"], records.Select(r => r.RequestId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_service_killed_while_logging_leaves_no_torn_record_once_the_next_one_starts()
    {
        using var dir = new TempDir();
        var port = TcpPorts.Free();
        var serving = Path.Combine(AppContext.BaseDirectory, "Planets.Serving.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [serving, "serve", "--store", service.Store, "--urls", $"http://127.0.0.1:{port}", "--prediction-log", dir["log"]])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitReadyAsync(client);
        var image = await File.ReadAllBytesAsync(service.SampleImages[0]);
        // Requests keep coming while the service is killed: the writer may be in the middle of a batch.
        var load = Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    using var response = await Http.PostImageAsync(client, image, "image/jpeg");
                }
                catch (HttpRequestException)
                {
                    return;
                }
            }
        }));
        await Task.Delay(1500);
        process.Kill();
        await process.WaitForExitAsync();
        await load;

        var left = await PredictionLogReader.ReadFolderAsync(dir["log"], since: null, CancellationToken.None);
        await using (new PredictionLog(new PredictionLogOptions(dir["log"])))
        {
        }

        var completed = await PredictionLogReader.ReadFolderAsync(dir["log"], since: null, CancellationToken.None);
        Assert.NotEmpty(left.Records);
        Assert.InRange(left.TornLines, 0, 1);
        Assert.Equal(0, completed.TornLines);
        Assert.Equal(left.Records.Count, completed.Records.Count);
        Assert.Empty(Directory.GetFiles(dir["log"], "*.part"));
    }

    [Fact]
    public async Task A_service_in_a_cluster_ships_its_complete_log_files_to_an_s3_remote_as_content_addressed_objects()
    {
        using var dir = new TempDir();
        using var s3 = await S3Server.StartS3rverAsync("monitoring");
        var port = TcpPorts.Free();
        var serving = Path.Combine(AppContext.BaseDirectory, "Planets.Serving.dll");
        var start = new ProcessStartInfo("dotnet",
        [
            serving, "serve", "--store", service.Store, "--urls", $"http://127.0.0.1:{port}", "--prediction-log", dir["log"],
            "--prediction-log-remote", "s3://monitoring/predictions", "--prediction-log-remote-endpoint", s3.Endpoint,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The platform's credential chain: here the environment, as a pod's secret would set it.
        start.Environment["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = S3Server.AccessKey;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitReadyAsync(client);
        var image = await File.ReadAllBytesAsync(service.SampleImages[1]);
        for (var i = 0; i < 5; i++)
        {
            using var response = await Http.PostImageAsync(client, image, "image/jpeg");
            response.EnsureSuccessStatusCode();
        }

        // A pod is stopped with SIGTERM: the service completes its open file and ships it before it exits.
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await output + await errors);
        var local = Assert.Single(PredictionLog.CompleteFiles(dir["log"]));
        var definition = new Pipeline.Remotes.Configuration.RemoteDefinition("predictions", "s3://monitoring/predictions")
        {
            Settings = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [
                KeyValuePair.Create("endpoint", new Pipeline.Remotes.Configuration.RemoteSetting(s3.Endpoint, "test")),
                KeyValuePair.Create("path-style", new Pipeline.Remotes.Configuration.RemoteSetting("true", "test")),
                KeyValuePair.Create("access-key-id", new Pipeline.Remotes.Configuration.RemoteSetting(S3Server.AccessKey, "test", IsSecret: true)),
                KeyValuePair.Create("secret-access-key", new Pipeline.Remotes.Configuration.RemoteSetting(S3Server.AccessKey, "test", IsSecret: true)),
            ]),
        };
        using var remote = new Pipeline.Remotes.S3.S3RemoteKind().Open(definition, dir.Path);
        var shipped = Assert.Single(await remote.ListAsync(null, CancellationToken.None));
        var bytes = await File.ReadAllBytesAsync(local);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes)), shipped.Hash.Value);
        byte[]? stored = null;
        await remote.ReadAsync(shipped.Hash, async content =>
        {
            using var copy = new MemoryStream();
            await content.Stream.CopyToAsync(copy);
            stored = copy.ToArray();
        }, CancellationToken.None);
        Assert.Equal(bytes, stored);
        Assert.Equal(5, (await PredictionLogReader.ReadFileAsync(local, CancellationToken.None)).Records.Count);
    }

    private async Task<List<PredictionRecord>> RecordsAsync(Func<PredictionRecord, bool> mine, int expected)
    {
        // Written in the background: wait for them, briefly.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var records = (await PredictionLogReader.ReadFolderAsync(service.PredictionLog, since: null, CancellationToken.None)).Records.Where(mine).ToList();
            if (records.Count >= expected || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return records;
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitReadyAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail("the service did not become ready in 60 s");
    }
}
