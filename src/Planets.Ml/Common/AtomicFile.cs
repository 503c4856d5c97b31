namespace Planets.Ml.Common;

/// <summary>
/// Writes a file under a temporary name and renames it into place, so an interrupted run never
/// leaves a half-written output that a later stage (or a content hash) would take as complete.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Lets <paramref name="write"/> fill a temporary file, then moves it to <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            await write(temp, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    public static Task WriteAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken) =>
        WriteAsync(path, (temp, ct) => File.WriteAllBytesAsync(temp, bytes, ct), cancellationToken);

    /// <summary>Writes <paramref name="text"/> atomically as UTF-8 without BOM.</summary>
    public static Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken) =>
        WriteAsync(path, (temp, ct) => File.WriteAllTextAsync(temp, text, ct), cancellationToken);
}
