using System.Text;
using System.Text.Json;

namespace Pipeline.Monitoring;

/// <summary>What a prediction log holds: its records, and how many torn last lines (a writer killed mid-line) were left out.</summary>
/// <param name="Records">The records, file by file in name order (which is time order), line by line.</param>
/// <param name="TornLines">Unfinished last lines left out, at most one per file.</param>
public sealed record PredictionLogContent(IReadOnlyList<PredictionRecord> Records, int TornLines);

/// <summary>
/// Reads prediction logs and reference files: JSON lines, each a <see cref="PredictionRecord"/>. A last line without
/// its line break is a record whose writer was killed while writing it, and is left out; any other line that is not a
/// record is an error naming the file and line: a log is never half read.
/// </summary>
public static class PredictionLogReader
{
    /// <summary>The records of <paramref name="path"/>.</summary>
    /// <exception cref="PredictionLogException">A line is not a record.</exception>
    public static async Task<PredictionLogContent> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken);
        var lines = text.Split('\n');
        var records = new List<PredictionRecord>(lines.Length);
        // The text after the last line break is empty for a finished file, else a torn record.
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Length > 0)
            {
                records.Add(Parse(lines[i], path, i + 1));
            }
        }

        return new PredictionLogContent(records, lines[^1].Length > 0 ? 1 : 0);
    }

    /// <summary>
    /// The records of every log file in <paramref name="folder"/> (<c>*.jsonl</c> and the open <c>*.jsonl.part</c>,
    /// in name order) made at or after <paramref name="since"/>.
    /// </summary>
    /// <exception cref="PredictionLogException">A line is not a record.</exception>
    public static Task<PredictionLogContent> ReadFolderAsync(string folder, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return ReadFilesAsync(PredictionLog.LogFiles(folder), since, cancellationToken);
    }

    /// <summary>The records of <paramref name="files"/>, in the order given, made at or after <paramref name="since"/>.</summary>
    /// <exception cref="PredictionLogException">A line is not a record.</exception>
    public static async Task<PredictionLogContent> ReadFilesAsync(IEnumerable<string> files, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var records = new List<PredictionRecord>();
        var torn = 0;
        foreach (var file in files)
        {
            var content = await ReadFileAsync(file, cancellationToken);
            records.AddRange(content.Records.Where(r => since is null || r.Time >= since));
            torn += content.TornLines;
        }

        return new PredictionLogContent(records, torn);
    }

    private static PredictionRecord Parse(string line, string path, int number)
    {
        try
        {
            return JsonSerializer.Deserialize<PredictionRecord>(line, PredictionRecord.Json)
                ?? throw new PredictionLogException($"{path}:{number}: null is not a prediction record");
        }
        catch (JsonException e)
        {
            throw new PredictionLogException($"{path}:{number}: not a prediction record ({e.Message}); each line is a JSON object with model, predicted_label, confidence, entropy, features and embedding", e);
        }
    }
}
