namespace Pipeline.Storage.Objects;

/// <summary>How a transfer runs.</summary>
/// <param name="Jobs">How many objects move at once.</param>
/// <param name="Retry">How transient failures are retried.</param>
public sealed record TransferOptions(int Jobs, RetryPolicy Retry)
{
    /// <summary>
    /// Four per core, as DVC does: transfers wait on the network far more than on the processor, so more jobs than
    /// cores keep the connection busy.
    /// </summary>
    public static int DefaultJobs { get; } = 4 * Environment.ProcessorCount;

    /// <summary>The default jobs and retries.</summary>
    public static TransferOptions Default { get; } = new(DefaultJobs, RetryPolicy.Default);
}
