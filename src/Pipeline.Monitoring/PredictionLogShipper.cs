namespace Pipeline.Monitoring;

/// <summary>
/// Ships a prediction log's complete files (<see cref="PredictionLog.CompleteFiles"/>) elsewhere, such as a data
/// remote, in the background: every interval, each file completed since, one after another, so the predictions never
/// wait for an upload. A file that could not be shipped is tried again the next time; shipping must therefore be
/// idempotent (a content-addressed store is). The log's folder limit deletes the oldest complete files whether shipped
/// or not: it bounds how long the remote may be out of reach without losing records.
/// </summary>
public sealed class PredictionLogShipper : IAsyncDisposable
{
    private readonly string folder;
    private readonly Func<string, CancellationToken, Task> ship;
    private readonly HashSet<string> shipped = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim round = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private long failures;
    private int disposed;

    /// <summary>Starts shipping the complete files of <paramref name="folder"/> every <paramref name="interval"/>.</summary>
    /// <param name="folder">The log's folder.</param>
    /// <param name="ship">Ships one complete file (its path); throws when it could not.</param>
    /// <param name="interval">How long files wait at most, once complete, before they are shipped.</param>
    /// <param name="time">The clock the interval runs on.</param>
    public PredictionLogShipper(string folder, Func<string, CancellationToken, Task> ship, TimeSpan interval, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(ship);
        this.folder = folder;
        this.ship = ship;
        loop = RunAsync(new PeriodicTimer(interval, time ?? TimeProvider.System));
    }

    /// <summary>Files shipped so far.</summary>
    public int Shipped
    {
        get
        {
            lock (shipped)
            {
                return shipped.Count;
            }
        }
    }

    /// <summary>Attempts that failed so far (each file is tried again the next time).</summary>
    public long Failures => Interlocked.Read(ref failures);

    /// <summary>Why the last failed attempt failed; null while none has.</summary>
    public string? LastError { get; private set; }

    /// <summary>Ships every complete file not shipped yet, now; returns how many it shipped.</summary>
    public async Task<int> ShipPendingAsync(CancellationToken cancellationToken)
    {
        await round.WaitAsync(cancellationToken);
        try
        {
            var count = 0;
            foreach (var file in PredictionLog.CompleteFiles(folder).Where(f => !IsShipped(f)))
            {
                try
                {
                    await ship(file, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The rest waits for the next round, in order: an unreachable remote is not asked once per file.
                    Interlocked.Increment(ref failures);
                    LastError = $"{Path.GetFileName(file)}: {e.Message}";
                    break;
                }

                lock (shipped)
                {
                    shipped.Add(file);
                }

                count++;
            }

            return count;
        }
        finally
        {
            round.Release();
        }
    }

    /// <summary>Stops the rounds, then ships what is complete by now (call it after the log is disposed, which completes its open file).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        await loop;
        try
        {
            await ShipPendingAsync(CancellationToken.None);
        }
        finally
        {
            stopping.Dispose();
            round.Dispose();
        }
    }

    private bool IsShipped(string file)
    {
        lock (shipped)
        {
            return shipped.Contains(file);
        }
    }

    private async Task RunAsync(PeriodicTimer timer)
    {
        using (timer)
        {
            try
            {
                while (await timer.WaitForNextTickAsync(stopping.Token))
                {
                    await ShipPendingAsync(stopping.Token);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Stopped: the last round is DisposeAsync's.
            }
        }
    }
}
