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
        var (process, client) = await StartServiceAsync(["--prediction-log", dir["log"]], []);
        using (process)
        using (client)
        {
            await KillUnderLoadAsync(process, client);
        }

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
        // The platform's credential chain: here the environment, as a pod's secret would set it.
        var (process, client) = await StartServiceAsync(
            ["--prediction-log", dir["log"], "--prediction-log-remote", "s3://monitoring/predictions", "--prediction-log-remote-endpoint", s3.Endpoint],
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = S3Server.AccessKey });
        using (process)
        using (client)
        {
            var image = await File.ReadAllBytesAsync(service.SampleImages[1]);
            for (var i = 0; i < 5; i++)
            {
                using var response = await Http.PostImageAsync(client, image, "image/jpeg");
                response.EnsureSuccessStatusCode();
            }

            // A pod is stopped with SIGTERM: the service completes its open file and ships it before it exits.
            await TerminateAsync(process);
        }

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

    [Fact]
    public async Task Log_files_of_a_killed_service_are_completed_and_shipped_by_the_next_one_without_a_torn_record()
    {
        using var dir = new TempDir();
        string[] arguments = ["--prediction-log", dir["log"], "--prediction-log-remote", dir["remote"], "--prediction-log-ship-seconds", "0.2"];
        var (killed, killedClient) = await StartServiceAsync(arguments, []);
        using (killed)
        using (killedClient)
        {
            await KillUnderLoadAsync(killed, killedClient);
        }

        var (next, nextClient) = await StartServiceAsync(arguments, []);
        using (next)
        using (nextClient)
        {
            await TerminateAsync(next);
        }

        var local = PredictionLog.CompleteFiles(dir["log"]);
        var remote = Directory.GetFiles(dir["remote"], "*", SearchOption.AllDirectories);
        Assert.Empty(Directory.GetFiles(dir["log"], "*.part"));
        Assert.NotEmpty(local);
        Assert.Equal(local.Select(f => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(File.ReadAllBytes(f)))).Order(StringComparer.Ordinal),
            remote.Select(f => Path.GetFileName(Path.GetDirectoryName(f)) + Path.GetFileName(f)).Order(StringComparer.Ordinal));
        var shipped = await PredictionLogReader.ReadFilesAsync(remote, since: null, CancellationToken.None);
        Assert.Equal(0, shipped.TornLines);
        Assert.Equal((await PredictionLogReader.ReadFilesAsync(local, since: null, CancellationToken.None)).Records.Count, shipped.Records.Count);
    }

    // The service in a process of its own on a free port, ready; the caller disposes both.
    private async Task<(Process Process, HttpClient Client)> StartServiceAsync(string[] arguments, Dictionary<string, string> environment)
    {
        var port = TcpPorts.Free();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Planets.Serving.dll"), "serve", "--store", service.Store, "--urls", $"http://127.0.0.1:{port}", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitReadyAsync(client);
        return (process, client);
    }

    // Requests keep coming while the service is killed (SIGKILL): the writer may be in the middle of a batch.
    private async Task KillUnderLoadAsync(Process process, HttpClient client)
    {
        var image = await File.ReadAllBytesAsync(service.SampleImages[0]);
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
    }

    private static async Task TerminateAsync(Process process)
    {
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
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
