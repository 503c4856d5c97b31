using System.Collections.Immutable;
using System.Text.Json;
using Pipeline.Monitoring;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

namespace Pipeline.Cake.Tests;

/// <summary>
/// The <c>Monitor</c> target as a scheduled job runs it: the logged predictions against the reference, the verdict in
/// one line and in the report files, thresholds from params.yaml, and one clear line for anything missing or malformed.
/// </summary>
public sealed class MonitorTargetTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly CakeRepo repo = new(CakeRepo.DefaultStages);

    public MonitorTargetTests()
    {
        WriteRecords("monitoring/reference.jsonl", Records(seed: 1, count: 400, shift: 0, time: null));
        WriteRecords("logs/same/predictions-1.jsonl", Records(seed: 2, count: 300, shift: 0, time: Day));
        WriteRecords("logs/shifted/predictions-1.jsonl", Records(seed: 3, count: 300, shift: 1, time: Day));
    }

    [Fact]
    public async Task Predictions_like_the_reference_pass_and_shifted_ones_fail_with_the_drifted_columns_in_one_line()
    {
        var same = await repo.CakeAsync("--target=Monitor", "--logs=logs/same");
        var sameReport = ReportJson();
        var shifted = await repo.CakeAsync("--target=Monitor", "--logs=logs/shifted", "--since=2026-11-30T12:00Z");
        var shiftedReport = ReportJson();

        Assert.True(same.ExitCode == 0, same.Output);
        Assert.Contains("no drift: 0 of 4 columns drifted (share 0 < 0.5); embedding ROC AUC 0.", same.Output, StringComparison.Ordinal);
        Assert.False(sameReport.GetProperty("drift").GetBoolean());
        Assert.NotEqual(0, shifted.ExitCode);
        Assert.Contains("Error: drift: 3 of 4 columns drifted (share 0.75 >= 0.5): confidence ", shifted.Output, StringComparison.Ordinal);
        Assert.True(shiftedReport.GetProperty("drift").GetBoolean());
        Assert.Equal(300, shiftedReport.GetProperty("current_rows").GetInt32());
        Assert.Equal("2026-11-30T12:00:00+00:00", shiftedReport.GetProperty("since").GetString());
        var embedding = shiftedReport.GetProperty("embedding");
        Assert.True(embedding.GetProperty("drifted").GetBoolean());
        Assert.InRange(embedding.GetProperty("score").GetDouble(), 0.9, 1);
        var html = await File.ReadAllTextAsync(repo["monitoring/report.html"]);
        Assert.Contains("<h1>Drift</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"drifted\">drifted</td>", html, StringComparison.Ordinal);
        Assert.Contains("\"density\":\"value\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thresholds_come_from_params_yaml_and_a_bad_one_is_named()
    {
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 5\nmonitor:\n  drift_share: 1\n  embedding_threshold: 1\n");
        var lenient = await repo.CakeAsync("--target=Monitor", "--logs=logs/shifted");
        repo.Write("params.yaml", "monitor:\n  numeric_threshold: 5\n");
        var outOfRange = await repo.CakeAsync("--target=Monitor", "--logs=logs/shifted");
        repo.Write("params.yaml", "monitor:\n  numeric_treshold: 0.2\n");
        var misspelt = await repo.CakeAsync("--target=Monitor", "--logs=logs/shifted");

        Assert.True(lenient.ExitCode == 0, lenient.Output);
        Assert.Contains("no drift: 3 of 4 columns drifted (share 0.75 < 1): confidence ", lenient.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, outOfRange.ExitCode);
        Assert.Contains("Error: params.yaml: 'monitor.numeric_threshold' is 5; expected a number from 0 to 1", outOfRange.Output, StringComparison.Ordinal);
        Assert.Contains("Error: params.yaml: 'monitor.numeric_treshold' is not a drift threshold; expected one of monitor.numeric_threshold,", misspelt.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_is_missing_or_malformed_is_one_line_and_no_report_is_written()
    {
        var empty = await repo.CakeAsync("--target=Monitor", "--logs=logs/same", "--since=2026-12-02");
        var badSince = await repo.CakeAsync("--target=Monitor", "--logs=logs/same", "--since=yesterday");
        var noFolder = await repo.CakeAsync("--target=Monitor");
        repo.Write("logs/bad/predictions-1.jsonl", "{\"model\":\"m:1\",\"predicted_label\":\"Moon\",\"confidence\":0.9,\"entropy\":0.1}\nnot json\n{}\n");
        var malformed = await repo.CakeAsync("--target=Monitor", "--logs=logs/bad");
        File.Delete(repo["monitoring/reference.jsonl"]);
        var noReference = await repo.CakeAsync("--target=Monitor", "--logs=logs/same");

        Assert.Contains("Error: logs/same: no prediction logged since 2026-12-02 00:00:00Z; nothing to compare", empty.Output, StringComparison.Ordinal);
        Assert.Contains("Error: --since: 'yesterday' is neither a period such as 90m, 24h or 7d nor an ISO 8601 time", badSince.Output, StringComparison.Ordinal);
        Assert.Contains("Error: monitoring/predictions: no prediction log folder", noFolder.Output, StringComparison.Ordinal);
        Assert.Matches(@"Error: [^\n]*predictions-1\.jsonl:2: ", malformed.Output);
        Assert.Contains("Error: monitoring/reference.jsonl: no reference to compare the predictions with; run Repro first", noReference.Output, StringComparison.Ordinal);
        Assert.All(new[] { empty, badSince, noFolder, malformed, noReference }, result => Assert.NotEqual(0, result.ExitCode));
        Assert.False(File.Exists(repo["monitoring/report.json"]));
    }

    [Fact]
    public async Task Log_files_the_services_shipped_to_a_remote_are_fetched_into_the_cache_once_and_tested()
    {
        var remote = repo["shipped"];
        var bytes = await File.ReadAllBytesAsync(repo["logs/same/predictions-1.jsonl"]);
        var hash = ContentHash.OfFile(ContentHashAlgorithm.Md5.HashData(bytes), ContentHashAlgorithm.Md5);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(remote, ObjectLayout.KeyOf(hash)))!);
        await File.WriteAllBytesAsync(Path.Combine(remote, ObjectLayout.KeyOf(hash)), bytes);
        repo.Write("pipeline.remotes.yaml", $"remotes:\n  predictions:\n    url: {remote}\n");

        var first = await repo.CakeAsync("--target=Monitor", "--remote=predictions");
        var second = await repo.CakeAsync("--target=Monitor", "--remote=predictions");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"Fetched 1 prediction log files from remote 'predictions' ({remote}) (0 already in the cache)", first.Output, StringComparison.Ordinal);
        Assert.Contains("no drift: 0 of 4 columns drifted", first.Output, StringComparison.Ordinal);
        Assert.Equal(300, ReportJson().GetProperty("current_rows").GetInt32());
        Assert.Contains($"Fetched 0 prediction log files from remote 'predictions' ({remote}) (1 already in the cache)", second.Output, StringComparison.Ordinal);
    }

    public void Dispose() => repo.Dispose();

    private JsonElement ReportJson() => JsonDocument.Parse(File.ReadAllText(repo["monitoring/report.json"])).RootElement.Clone();

    private void WriteRecords(string path, IEnumerable<PredictionRecord> records) =>
        repo.Write(path, string.Concat(records.Select(r => JsonSerializer.Serialize(r, PredictionRecord.Json) + "\n")));

    // Image features, answers and embeddings around fixed means; a shift moves the image's brightness by two standard
    // deviations, the confidence down and every embedding value by one, as unfamiliar photographs do to a model.
    private static IEnumerable<PredictionRecord> Records(int seed, int count, double shift, DateTimeOffset? time)
    {
        var random = new Random(seed);
        string[] labels = ["Earth", "Moon", "Mars"];
        for (var i = 0; i < count; i++)
        {
            var confidence = 0.6 + (0.3 * random.NextDouble()) - (0.2 * shift);
            yield return new PredictionRecord
            {
                Time = time?.AddMinutes(i),
                RequestId = time is null ? null : $"r{i}",
                Model = "classifier:1",
                PredictedLabel = labels[random.Next(labels.Length)],
                Confidence = confidence,
                Entropy = 1 - confidence,
                Features = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                [
                    KeyValuePair.Create("image_mean", 0.3 + (0.05 * Normal(random)) + (0.1 * shift)),
                ]),
                Embedding = [.. Enumerable.Range(0, 8).Select(_ => (float)(Normal(random) + shift))],
            };
        }
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
