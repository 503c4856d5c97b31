using Pipeline.Core.Stages;

namespace Pipeline.Core.Execution;

/// <summary>Runs a stage's command in a process of its own.</summary>
public interface ICommandRunner
{
    /// <summary>
    /// Runs <paramref name="command"/> in <paramref name="workingDirectory"/> with <paramref name="environment"/> added
    /// to the inherited variables; cancellation kills it.
    /// </summary>
    /// <exception cref="PipelineException">The command could not start or exited with a non-zero code.</exception>
    Task RunAsync(string stage, CommandLine command, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken);
}
