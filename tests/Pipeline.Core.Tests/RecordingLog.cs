using Pipeline.Core.Execution;

namespace Pipeline.Core.Tests;

/// <summary>Keeps what the engine reports, so tests can assert on warnings and messages.</summary>
public sealed class RecordingLog(List<string> warnings, List<string> messages) : IPipelineLog
{
    public RecordingLog(List<string> warnings)
        : this(warnings, [])
    {
    }

    public void Information(string message) => messages.Add(message);

    public void Warning(string message) => warnings.Add(message);

    public void Verbose(string message)
    {
    }
}
