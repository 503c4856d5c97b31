using Pipeline.Core.Execution;

namespace Pipeline.Testing;

/// <summary>
/// Keeps what the engine or an adapter reports: each message by level in the lists a test hands in, and every line
/// (a multi-line message as its lines) in order, with a hook for acting on a line as it arrives.
/// </summary>
public sealed class RecordingLog(List<string> warnings, List<string> messages) : IPipelineLog
{
    private readonly List<string> lines = [];

    public RecordingLog()
        : this([], [])
    {
    }

    public RecordingLog(List<string> warnings)
        : this(warnings, [])
    {
    }

    public Action<string>? OnLine { get; init; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    public void Information(string message)
    {
        lock (messages)
        {
            messages.Add(message);
        }

        AddLines(message);
    }

    public void Warning(string message)
    {
        lock (warnings)
        {
            warnings.Add(message);
        }

        AddLines(message);
    }

    public void Verbose(string message) => AddLines(message);

    public override string ToString() => string.Join('\n', Lines);

    private void AddLines(string message)
    {
        foreach (var line in message.Split('\n'))
        {
            lock (lines)
            {
                lines.Add(line);
            }

            OnLine?.Invoke(line);
        }
    }
}
