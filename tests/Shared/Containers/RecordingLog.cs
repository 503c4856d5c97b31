using Pipeline.Core.Execution;

namespace Pipeline.Testing.Containers;

/// <summary>Keeps what an adapter logs, line by line (a multi-line message as its lines), and lets a test act on a line as it arrives.</summary>
internal sealed class RecordingLog : IPipelineLog
{
    private readonly List<string> lines = [];

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

    public void Information(string message) => Add(message);

    public void Warning(string message) => Add(message);

    public void Verbose(string message) => Add(message);

    public override string ToString() => string.Join('\n', Lines);

    private void Add(string message)
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
