using Cake.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Stages;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.State;

namespace Pipeline.Cake;

/// <summary>
/// Programs built from the repository's sources, for targets that run or package one outside a stage (serving the
/// model, building an image): the same build record and rules as a stage's program (see <see cref="ProgramBuilder"/>).
/// </summary>
public static class PipelinePrograms
{
    /// <summary>Builds <paramref name="program"/> unless its last build by the pipeline matches its sources and built files.</summary>
    /// <exception cref="Core.PipelineException">A source does not exist, or the build fails (its errors are on the console).</exception>
    public static Task EnsureBuiltAsync(ICakeContext context, StageProgram program, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Builder(context).EnsureBuiltAsync(program, cancellationToken);
    }

    /// <summary>Keeps every other run from building <paramref name="program"/> until the result is disposed (see <see cref="ProgramBuilder.LockAsync"/>).</summary>
    public static Task<IAsyncDisposable> LockAsync(ICakeContext context, StageProgram program, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Builder(context).LockAsync(program, cancellationToken);
    }

    /// <summary>The hash of <paramref name="program"/>'s sources in the work tree now.</summary>
    /// <exception cref="Core.PipelineException">A source does not exist.</exception>
    public static async Task<string> SourcesHashAsync(ICakeContext context, StageProgram program, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (await ProgramSources.OfAsync(program, Root(context), Hasher(), cancellationToken)).Hash.Value;
    }

    private static ProgramBuilder Builder(ICakeContext context) =>
        new(Root(context), Hasher(), ProcessCommandRunner.ToConsole(), new CakePipelineLog(context.Log));

    private static string Root(ICakeContext context) => context.Environment.WorkingDirectory.FullPath;

    // A program's sources are a few hundred small files: hashing them afresh costs less than opening the workspace's
    // state database, and needs neither its repository lock nor a lock of its own.
    private static ContentHasher Hasher() => new(StateDatabase.InMemory());
}
