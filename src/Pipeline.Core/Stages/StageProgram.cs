using System.Collections.Immutable;

namespace Pipeline.Core.Stages;

/// <summary>
/// A program that stages run and that is built from sources in the repository (a .NET project, say). Before a stage
/// that runs it is run, the pipeline makes sure the built program is the one its sources give now, so the lock file
/// never records new sources beside outputs made by an old binary (see <see cref="Execution.ProgramBuilder"/>).
/// </summary>
/// <param name="Name">The program's name in messages, such as <c>MyModel.Cli</c>.</param>
/// <param name="Build">The command that builds it, run from the repository root.</param>
public sealed record StageProgram(string Name, CommandLine Build)
{
    /// <summary>Every file and folder the build reads: the program's sources, project files and package versions.</summary>
    public ImmutableArray<string> Sources { get; init; } = [];

    /// <summary>
    /// The files the build writes that are the program itself (its assemblies, not the libraries it copies); the
    /// record of the last build is kept beside the first, so every work tree that shares the built files shares it.
    /// </summary>
    public ImmutableArray<string> Outputs { get; init; } = [];

    /// <summary>
    /// The lock file its builds hold, relative to the repository root. Programs whose builds share files (the
    /// projects of a .NET repository share its artifacts folder) name the same one, so they never build at once;
    /// by default it lies beside the record of the last build.
    /// </summary>
    public string? BuildLock { get; init; }
}
