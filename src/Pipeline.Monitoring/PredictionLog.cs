using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

namespace Pipeline.Monitoring;

/// <summary>Where and how much a <see cref="PredictionLog"/> writes.</summary>
/// <param name="Folder">
/// The folder of the log files; made when missing. One per running service: a log that opens completes the files
/// left open in its folder, which are a killed predecessor's only when no other service writes there.
/// </param>
public sealed record PredictionLogOptions(string Folder)
{
    /// <summary>A file is closed and a new one started once it holds this many bytes.</summary>
    public long MaxFileBytes { get; init; } = 16_000_000;

    /// <summary>The closed files' total size kept at most: the oldest are deleted beyond it.</summary>
    public long MaxFolderBytes { get; init; } = 1_000_000_000;

    /// <summary>Records waiting to be written at most; a prediction made while the queue is full is not logged (and counted).</summary>
    public int QueueCapacity { get; init; } = 10_000;
}

/// <summary>
/// The prediction log of a running service: records are queued without waiting and written by one background writer,
/// in batches, as JSON lines, so logging never slows a prediction. The open file is <c>*.jsonl.part</c>; a full one is
/// renamed <c>*.jsonl</c> (complete: safe to ship) and a new one started; the oldest complete files are deleted
/// beyond the folder's limit. Each batch is one write of whole lines, and a file left open by a killed service is
/// completed by the next one (its torn last line cut off), so a reader never sees half a record.
/// </summary>
public sealed class PredictionLog : IAsyncDisposable
{
    /// <summary>The extension of a complete log file.</summary>
    public const string Extension = ".jsonl";

    private const string OpenSuffix = ".part";
    private const int BatchSize = 512;

    private readonly PredictionLogOptions options;
    private readonly TimeProvider time;
    private readonly Channel<PredictionRecord> queue;
    private readonly Task writer;
    private readonly ArrayBufferWriter<byte> buffer = new(64 * 1024);
    private FileStream? file;
    private long dropped;
    private long written;
    private int sequence;

    /// <summary>Opens the log: completes files a killed writer left open, then starts the background writer.</summary>
    public PredictionLog(PredictionLogOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.time = time ?? TimeProvider.System;
        Directory.CreateDirectory(options.Folder);
        foreach (var open in Directory.EnumerateFiles(options.Folder, $"*{Extension}{OpenSuffix}"))
        {
            Complete(open);
        }

        queue = Channel.CreateBounded<PredictionRecord>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            // Wait, not DropWrite: only then does TryWrite say false for a record it cannot take (DropWrite says true
            // and loses it), so a dropped record is always counted.
            FullMode = BoundedChannelFullMode.Wait,
        });
        writer = Task.Run(WriteAsync);
    }

    /// <summary>Records written to files so far.</summary>
    public long Written => Interlocked.Read(ref written);

    /// <summary>Records not logged because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Why the last batch that could not be written failed; null while every batch was written.</summary>
    public string? LastError { get; private set; }

    /// <summary>The log files of <paramref name="folder"/>, complete and open, in name (time) order.</summary>
    public static IReadOnlyList<string> LogFiles(string folder) =>
        Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder).Where(f => f.EndsWith(Extension, StringComparison.Ordinal) || f.EndsWith(Extension + OpenSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The complete log files of <paramref name="folder"/> (none still being written), in name (time) order.</summary>
    public static IReadOnlyList<string> CompleteFiles(string folder) =>
        [.. LogFiles(folder).Where(f => f.EndsWith(Extension, StringComparison.Ordinal))];

    /// <summary>Queues <paramref name="record"/> without waiting; false (and counted) when the queue is full.</summary>
    public bool TryAdd(PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var queued = queue.Writer.TryWrite(record);
        if (!queued)
        {
            Interlocked.Increment(ref dropped);
        }

        return queued;
    }

    /// <summary>Writes what is queued, completes the open file and stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer;
    }

    private async Task WriteAsync()
    {
        var batch = new List<PredictionRecord>(BatchSize);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < BatchSize && queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                await AppendAsync(batch);
            }
            catch (IOException e)
            {
                // A full disk or a folder gone must not stop the service: the batch is lost, counted and said.
                Interlocked.Add(ref dropped, batch.Count);
                LastError = e.Message;
                file?.Dispose();
                file = null;
            }

            batch.Clear();
        }

        Close();
    }

    // Whole lines only, one write per batch, or per part of a batch that fills a file: a file is completed as soon as
    // it reaches its size, so files stay near MaxFileBytes whatever the batch size.
    private async Task AppendAsync(List<PredictionRecord> batch)
    {
        buffer.ResetWrittenCount();
        var pending = 0;
        using var json = new Utf8JsonWriter(buffer);
        foreach (var record in batch)
        {
            JsonSerializer.Serialize(json, record, PredictionRecord.Json);
            json.Flush();
            json.Reset();
            buffer.Write("\n"u8);
            pending++;
            file ??= Open();
            if (file.Length + buffer.WrittenCount >= options.MaxFileBytes)
            {
                await FlushAsync(pending);
                pending = 0;
                Close();
                Trim();
            }
        }

        await FlushAsync(pending);
    }

    private async Task FlushAsync(int records)
    {
        if (records == 0)
        {
            return;
        }

        file ??= Open();
        await file.WriteAsync(buffer.WrittenMemory);
        await file.FlushAsync();
        buffer.ResetWrittenCount();
        Interlocked.Add(ref written, records);
    }

    private FileStream Open()
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"predictions-{time.GetUtcNow():yyyyMMdd'T'HHmmssfff'Z'}-{Environment.ProcessId}-{sequence++:D4}{Extension}{OpenSuffix}");
        return new FileStream(Path.Combine(options.Folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous);
    }

    private void Close()
    {
        if (file is null)
        {
            return;
        }

        var path = file.Name;
        file.Dispose();
        file = null;
        File.Move(path, path[..^OpenSuffix.Length]);
    }

    // A file a killed writer left open: its torn last line (no line break) cut off, then named complete.
    private static void Complete(string open)
    {
        using (var stream = new FileStream(open, FileMode.Open, FileAccess.ReadWrite))
        {
            var end = stream.Length;
            while (end > 0)
            {
                stream.Position = end - 1;
                if (stream.ReadByte() == '\n')
                {
                    break;
                }

                end--;
            }

            stream.SetLength(end);
        }

        File.Move(open, open[..^OpenSuffix.Length], overwrite: true);
    }

    // The complete files beyond the folder's limit, oldest first, deleted.
    private void Trim()
    {
        var files = CompleteFiles(options.Folder).Select(f => new FileInfo(f)).ToList();
        var total = files.Sum(f => f.Length);
        foreach (var oldest in files)
        {
            if (total <= options.MaxFolderBytes)
            {
                break;
            }

            total -= oldest.Length;
            oldest.Delete();
        }
    }
}
