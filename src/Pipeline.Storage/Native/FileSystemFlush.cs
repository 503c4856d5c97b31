using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pipeline.Storage.Native;

/// <summary>
/// Group commit for files written at about the same time: a caller whose writes are done waits for the next
/// syncfs(2) of the file system holding <paramref name="folder"/>, and every caller that arrives while one sync is
/// running shares the one after it. Each caller's bytes are on disk when its wait ends, for one system call per
/// batch instead of an fsync per file. Linux only.
/// </summary>
/// <param name="folder">A folder on the file system to flush.</param>
internal sealed partial class FileSystemFlush(string folder)
{
    private const int ReadOnlyDirectory = 0x10000;
    private readonly Lock gate = new();
    private Task last = Task.CompletedTask;
    private Task? queued;

    /// <summary>Completes once everything written before the call is on disk.</summary>
    /// <exception cref="IOException">The file system could not be flushed.</exception>
    public Task FlushAsync()
    {
        lock (gate)
        {
            // The queued sync has not started yet, so it covers this caller's writes too.
            return queued ??= last = last.ContinueWith(_ => Sync(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    // Runs after the previous sync (whether or not it failed), on a pool thread, never inline with FlushAsync.
    private void Sync()
    {
        lock (gate)
        {
            // From here on, callers' writes may come after the sync has begun: they need the next one.
            queued = null;
        }

        using var directory = new SafeFileHandle(Open(folder, ReadOnlyDirectory), ownsHandle: true);
        if (directory.IsInvalid || SyncFs(directory) != 0)
        {
            throw new IOException($"cannot flush the file system of '{folder}' to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(SafeFileHandle fd);
}
