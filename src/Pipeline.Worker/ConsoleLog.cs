using Pipeline.Core.Execution;

namespace Pipeline.Worker;

/// <summary>The worker's log: plain lines on standard output, which the pod's log streams to the submitter.</summary>
internal sealed class ConsoleLog : IPipelineLog
{
    public void Information(string message) => Console.WriteLine(message);

    public void Warning(string message) => Console.WriteLine($"warning: {message}");

    public void Verbose(string message)
    {
        // The submitter's console shows the stage's own output; the engine's detail stays out of it.
    }
}
