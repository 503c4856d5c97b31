using System.Threading.Channels;
using k8s;

namespace Pipeline.Kubernetes;

/// <summary>Keeps a watch open until stopped, reopening it when the server ends it (as servers do after a timeout).</summary>
internal static class Watching
{
    /// <summary>Applies each event, then signals the reader; a failure is sent to the reader instead of being lost in a background task.</summary>
    public static async Task PumpAsync<T>(
        Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> open,
        Action<WatchEventType, T> apply,
        ChannelWriter<Exception?> signal,
        CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await foreach (var (type, item) in open(e => signal.TryWrite(e), cancellationToken).WithCancellation(cancellationToken))
                {
                    apply(type, item);
                    signal.TryWrite(null);
                }

                // A short pause keeps a server that ends every watch at once from being hammered.
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the reader: the watch has nothing more to say.
        }
        catch (Exception e)
        {
            signal.TryWrite(e);
        }
    }

    /// <summary>
    /// Watches one object (what <paramref name="open"/> opens, such as a watch on one name) and hands each state it
    /// reaches to <paramref name="inspect"/> until that returns a result, or throws.
    /// </summary>
    public static async Task<TResult> UntilAsync<T, TResult>(
        Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> open,
        Func<T, TResult?> inspect,
        CancellationToken cancellationToken)
        where T : class
        where TResult : class
    {
        var signal = Channel.CreateUnbounded<Exception?>();
        T? latest = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = PumpAsync(open, (type, item) => Volatile.Write(ref latest, type == WatchEventType.Deleted ? null : item), signal.Writer, stop.Token);
        try
        {
            while (true)
            {
                await NextAsync(signal.Reader, DateTime.MaxValue, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                if (Volatile.Read(ref latest) is { } item && inspect(item) is { } result)
                {
                    return result;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await watch;
        }
    }

    /// <summary>Waits for the next signal until <paramref name="until"/> (<see cref="DateTime.MaxValue"/>: no limit); false when the time ran out first.</summary>
    public static async Task<bool> NextAsync(ChannelReader<Exception?> signal, DateTime until, CancellationToken cancellationToken)
    {
        var remaining = until - DateTime.UtcNow;
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (until != DateTime.MaxValue)
        {
            wait.CancelAfter(remaining);
        }
        try
        {
            var failure = await signal.ReadAsync(wait.Token);
            while (failure is null && signal.TryRead(out var next))
            {
                failure = next;
            }

            return failure is null ? true : throw failure;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
