using System.Diagnostics;

namespace Pipeline.Core.Workspace;

/// <summary>
/// Keeps two runs in one repository from interleaving: an exclusive OS file lock (released by the OS even if the
/// holder is killed) plus a note of who holds it, so that the second run can name the holder.
/// </summary>
public sealed class RepositoryLock : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly FileStream handle;
    private readonly string holderPath;

    private RepositoryLock(FileStream handle, string holderPath)
    {
        this.handle = handle;
        this.holderPath = holderPath;
    }

    /// <summary>Takes the lock in <paramref name="folder"/>, waiting up to <paramref name="timeout"/> for another holder.</summary>
    /// <param name="folder">The pipeline's data folder.</param>
    /// <param name="timeout">How long to wait; zero fails at once.</param>
    /// <param name="purpose">What this run does, shown to a run that finds the lock taken.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="PipelineException">Another run still holds the lock after the timeout.</exception>
    public static async Task<RepositoryLock> AcquireAsync(string folder, TimeSpan timeout, string purpose, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var lockPath = Path.Combine(folder, "repo.lock");
        var holderPath = Path.Combine(folder, "repo.lock.holder");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var handle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                await File.WriteAllTextAsync(holderPath, Describe(purpose), cancellationToken);
                return new RepositoryLock(handle, holderPath);
            }
            catch (IOException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
            catch (IOException e)
            {
                var holder = File.Exists(holderPath) ? await File.ReadAllTextAsync(holderPath, cancellationToken) : "another process";
                var waited = timeout > TimeSpan.Zero ? $" after waiting {timeout.TotalSeconds:0}s" : "";
                throw new PipelineException(
                    $"the repository is locked by {holder.Trim()}{waited}; wait for it to finish or pass --lock-timeout=SECONDS to wait", e);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        File.Delete(holderPath);
        handle.Dispose();
    }

    private static string Describe(string purpose) =>
        $"'{purpose}' (pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTime.Now:yyyy-MM-dd HH:mm:ss})";
}
