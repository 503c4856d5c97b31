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
