using System.Diagnostics;
using Cake.Core.Diagnostics;
using Pipeline.Core;
using Pipeline.Storage.Hashing;

namespace Pipeline.Cake;

/// <summary>
/// Shows how far hashing a large folder has got, in Cake's log: nothing for the first second (most folders are done
/// by then), then a line every few seconds, so a long first hash of a dataset never looks like a hang.
/// </summary>
/// <param name="log">Cake's log.</param>
public sealed class HashingProgressLog(ICakeLog log) : IProgress<HashingProgress>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private readonly Lock gate = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private string? folder;
    private TimeSpan nextReport = Quiet;

    /// <inheritdoc />
    public void Report(HashingProgress value)
    {
        lock (gate)
        {
            if (value.Folder != folder)
            {
                folder = value.Folder;
                nextReport = clock.Elapsed + Quiet;
            }

            if (clock.Elapsed < nextReport)
            {
                return;
            }

            nextReport = clock.Elapsed + Interval;
        }

        log.Information("Hashing {0}: {1:N0} of {2:N0} files read ({3})", value.Folder, value.FilesRead, value.Files, ByteSize.Format(value.BytesRead));
    }
}
