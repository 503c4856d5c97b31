namespace Pipeline.Storage.Objects;

/// <summary>Hears how a transfer advances; called from many transfer jobs at once, so implementations are thread-safe.</summary>
public interface ITransferProgress
{
    /// <summary>A transfer of <paramref name="files"/> objects, <paramref name="bytes"/> bytes in all (as far as known), starts.</summary>
    /// <param name="operation">What moves, in the user's words: <c>Pushing</c>, <c>Fetching</c>.</param>
    /// <param name="files">How many objects will move.</param>
    /// <param name="bytes">Their size, where known.</param>
    void Begin(string operation, int files, long bytes);

    /// <summary>One object finished moving (or failed: then <paramref name="bytes"/> is 0).</summary>
    void FileDone(long bytes);

    /// <summary>The transfer ended.</summary>
    void Finish();
}

/// <summary>Reports nothing.</summary>
public sealed class SilentProgress : ITransferProgress
{
    /// <summary>The one instance.</summary>
    public static SilentProgress Instance { get; } = new();

    /// <inheritdoc />
    public void Begin(string operation, int files, long bytes)
    {
    }

    /// <inheritdoc />
    public void FileDone(long bytes)
    {
    }

    /// <inheritdoc />
    public void Finish()
    {
    }
}
