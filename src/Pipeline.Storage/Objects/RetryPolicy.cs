namespace Pipeline.Storage.Objects;

/// <summary>
/// Tries an object database's call again after a transient failure, waiting twice as long each time (with jitter, so that many
/// parallel transfers do not retry in lock step against a throttling server).
/// </summary>
/// <param name="Attempts">How many times a call is tried in all.</param>
/// <param name="FirstDelay">The wait before the second attempt.</param>
/// <param name="MaxDelay">The longest wait between attempts.</param>
public sealed record RetryPolicy(int Attempts, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    /// <summary>Five attempts over about six seconds.</summary>
    public static RetryPolicy Default { get; } = new(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    /// <summary>Runs <paramref name="action"/>, retrying it on a transient <see cref="ObjectDatabaseException"/>.</summary>
    /// <exception cref="ObjectDatabaseException">The last failure, once the attempts are spent or the failure is permanent.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancellationToken);
            }
            catch (ObjectDatabaseException e) when (e.IsTransient && attempt < Attempts)
            {
                await Task.Delay(DelayBefore(attempt + 1), cancellationToken);
            }
        }
    }

    /// <summary>Runs <paramref name="action"/>, retrying it on a transient <see cref="ObjectDatabaseException"/>.</summary>
    public Task RunAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken) =>
        RunAsync(async token =>
        {
            await action(token);
            return true;
        }, cancellationToken);

    /// <summary>The wait before attempt number <paramref name="attempt"/> (2 or more).</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        var exponential = FirstDelay.TotalMilliseconds * Math.Pow(2, attempt - 2);
        var jitter = 0.75 + (Random.Shared.NextDouble() * 0.5);
        return TimeSpan.FromMilliseconds(Math.Min(exponential, MaxDelay.TotalMilliseconds) * jitter);
    }
}
