using Pipeline.Core.Execution;

namespace Pipeline.Benchmarks;

/// <summary>A log that drops everything: a benchmark measures the work, not the console.</summary>
internal sealed class SilentLog : IPipelineLog
{
    public void Information(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Verbose(string message)
    {
    }
}
