namespace Kubernetes.Emulator;

/// <summary>A container's log: lines so far, whether the container has started (there is a log to read) and ended (no more lines).</summary>
internal sealed class PodLog
{
    private readonly Lock gate = new();
    private readonly List<string> lines = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HasStarted { get; private set; }

    public void Started()
    {
        lock (gate)
        {
            HasStarted = true;
        }
    }

    public void Append(string line)
    {
        lock (gate)
        {
            HasStarted = true;
            lines.Add(line);
            Signal();
        }
    }

    public void Close()
    {
        lock (gate)
        {
            IsClosed = true;
            Signal();
        }
    }

    public bool IsClosed { get; private set; }

    /// <summary>Lines from <paramref name="from"/> on, whether the log is closed, and a task that completes on the next change.</summary>
    public (List<string> Lines, bool Closed, Task Changed) Read(int from)
    {
        lock (gate)
        {
            return ([.. lines.Skip(from)], IsClosed, changed.Task);
        }
    }

    private void Signal()
    {
        changed.TrySetResult();
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
