using Pipeline.Core.Stages;

namespace Pipeline.Core.Execution;

/// <summary>Runs a stage's command, or a program's build, in a process of its own.</summary>
public interface ICommandRunner
{
    /// <summary>
    /// Runs <paramref name="command"/> in <paramref name="workingDirectory"/> with <paramref name="environment"/> added
    /// to the inherited variables; cancellation kills it.
    /// </summary>
    /// <returns>The command's exit code.</returns>
    /// <exception cref="PipelineException">The command could not start.</exception>
    Task<int> RunAsync(CommandLine command, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken);
}
