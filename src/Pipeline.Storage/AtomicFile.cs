namespace Pipeline.Storage;

/// <summary>
/// Writes files that others read so that a reader sees the old content or the new, never a half-written one:
/// the bytes go to a temporary file in the same folder, are flushed to disk, then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>How every temporary file's name ends, so that what a killed writer left can be found.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts into the stream.</summary>
    public static async Task WriteAsync(string path, Action<Stream> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        await WriteAsync(path, stream =>
        {
            write(stream);
            return Task.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts into the stream.</summary>
    public static async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temporary = TemporaryPathBeside(path);
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream);
                cancellationToken.ThrowIfCancellationRequested();
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    public static Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        WriteAsync(path, stream => stream.WriteAsync(bytes, cancellationToken).AsTask(), cancellationToken);

    /// <summary>A name for a temporary file next to <paramref name="path"/>, so that a rename stays on one file system.</summary>
    public static string TemporaryPathBeside(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TemporarySuffix}");
    }
}
