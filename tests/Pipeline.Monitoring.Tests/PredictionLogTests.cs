using System.Collections.Immutable;

namespace Pipeline.Monitoring.Tests;

public sealed class PredictionLogTests : IDisposable
{
    private readonly TempFolder folder = new();

    [Fact]
    public async Task Every_queued_record_is_written_as_one_line_and_read_back_the_same()
    {
        var records = Enumerable.Range(0, 1500).Select(Record).ToList();

        await using (var log = new PredictionLog(new PredictionLogOptions(folder.Path)))
        {
            Assert.All(records, r => Assert.True(log.TryAdd(r)));
        }

        var read = await PredictionLogReader.ReadFolderAsync(folder.Path, since: null, CancellationToken.None);
        Assert.Equal(0, read.TornLines);
        Assert.Equal(records.Select(Text), read.Records.Select(Text));
        Assert.Single(PredictionLog.CompleteFiles(folder.Path));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.part"));
    }

    [Fact]
    public async Task Full_files_are_completed_and_the_oldest_deleted_beyond_the_folders_limit()
    {
        var options = new PredictionLogOptions(folder.Path) { MaxFileBytes = 20_000, MaxFolderBytes = 60_000, QueueCapacity = 100 };

        await using (var log = new PredictionLog(options))
        {
            for (var i = 0; i < 2000; i++)
            {
                while (!log.TryAdd(Record(i)))
                {
                    await Task.Delay(1);
                }
            }
        }

        // Files end at the first whole line past 20 kB; beyond 60 kB the oldest go (the file completed last is kept
        // until the next completes).
        var files = PredictionLog.CompleteFiles(folder.Path);
        Assert.InRange(files.Count, 2, 4);
        Assert.All(files.SkipLast(1), f => Assert.InRange(new FileInfo(f).Length, 20_000, 21_000));
        Assert.InRange(files.Sum(f => new FileInfo(f).Length), 40_000, 60_000 + 21_000);
        var read = await PredictionLogReader.ReadFolderAsync(folder.Path, since: null, CancellationToken.None);
        // What is kept is the newest records, in order, none torn.
        Assert.Equal(Enumerable.Range(2000 - read.Records.Count, read.Records.Count).Select(i => $"request-{i}"), read.Records.Select(r => r.RequestId));
    }

    [Fact]
    public async Task A_file_a_killed_service_left_open_is_completed_without_its_torn_line_by_the_next_one()
    {
        var open = Path.Combine(folder.Path, "predictions-20261202T100000000Z-1-0000.jsonl.part");
        await File.WriteAllTextAsync(open, Text(Record(1)) + "\n" + Text(Record(2)) + "\n" + Text(Record(3))[..40]);

        await using (new PredictionLog(new PredictionLogOptions(folder.Path)))
        {
        }

        Assert.False(File.Exists(open));
        var read = await PredictionLogReader.ReadFileAsync(open[..^".part".Length], CancellationToken.None);
        Assert.Equal(["request-1", "request-2"], read.Records.Select(r => r.RequestId));
        Assert.Equal(0, read.TornLines);
    }

    [Fact]
    public async Task A_torn_last_line_is_left_out_and_counted_and_a_malformed_one_is_an_error_naming_its_line()
    {
        var torn = Path.Combine(folder.Path, "a.jsonl");
        var malformed = Path.Combine(folder.Path, "b.jsonl");
        await File.WriteAllTextAsync(torn, Text(Record(1)) + "\n{\"model\": \"m:1\", \"predi");
        await File.WriteAllTextAsync(malformed, Text(Record(1)) + "\n{\"model\": \"m:1\", \"confidence\": \"high\"}\n");

        var read = await PredictionLogReader.ReadFileAsync(torn, CancellationToken.None);
        var error = await Assert.ThrowsAsync<PredictionLogException>(() => PredictionLogReader.ReadFileAsync(malformed, CancellationToken.None));

        Assert.Equal((1, 1), (read.Records.Count, read.TornLines));
        Assert.StartsWith($"{malformed}:2: not a prediction record (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_are_chosen_by_time_from_since_on()
    {
        await using (var log = new PredictionLog(new PredictionLogOptions(folder.Path)))
        {
            for (var i = 0; i < 10; i++)
            {
                log.TryAdd(Record(i));
            }
        }

        var read = await PredictionLogReader.ReadFolderAsync(folder.Path, Start.AddMinutes(7), CancellationToken.None);

        Assert.Equal(["request-7", "request-8", "request-9"], read.Records.Select(r => r.RequestId));
    }

    [Fact]
    public async Task A_folder_gone_while_serving_loses_that_batch_counts_it_and_says_why_and_the_service_goes_on()
    {
        var logs = Path.Combine(folder.Path, "logs");
        var log = new PredictionLog(new PredictionLogOptions(logs));
        Directory.Delete(logs);

        Assert.True(log.TryAdd(Record(1)));
        await log.DisposeAsync();

        Assert.Equal((0, 1), (log.Written, log.Dropped));
        Assert.Contains("logs", log.LastError, StringComparison.Ordinal);
    }

    public void Dispose() => folder.Dispose();

    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    internal static PredictionRecord Record(int i) => new()
    {
        Time = Start.AddMinutes(i),
        RequestId = $"request-{i}",
        Model = "planets:1a2b3c",
        PredictedLabel = i % 3 == 0 ? "Mars" : "Venus",
        Confidence = 0.5 + (i % 50 / 100d),
        Entropy = 1.25,
        Features = ImmutableSortedDictionary<string, double>.Empty.Add("image_mean", 0.4).Add("image_std", 0.2),
        Embedding = [0.5f, -1.25f, i],
    };

    private static string Text(PredictionRecord record) => System.Text.Json.JsonSerializer.Serialize(record, PredictionRecord.Json);
}
