using Pipeline.Core.Stages;

namespace Pipeline.Core.Execution;

/// <summary>Runs a stage's command in a process of its own.</summary>
public interface ICommandRunner
{
    /// <summary>Runs <paramref name="command"/> in <paramref name="workingDirectory"/>; cancellation kills it.</summary>
    /// <exception cref="PipelineException">The command could not start or exited with a non-zero code.</exception>
    Task RunAsync(string stage, CommandLine command, string workingDirectory, CancellationToken cancellationToken);
}
