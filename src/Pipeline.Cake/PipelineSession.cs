using Cake.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Workspace;

namespace Pipeline.Cake;

/// <summary>
/// The state one Cake run shares between its pipeline tasks: the repository lock, taken by the first task that needs
/// it and held until Cake's teardown, and the open workspace.
/// </summary>
/// <param name="options">The run's options.</param>
public sealed class PipelineSession(PipelineOptions options) : IAsyncDisposable
{
    private RepositoryLock? repositoryLock;
    private PipelineWorkspace? workspace;

    /// <summary>The run's options.</summary>
    public PipelineOptions Options { get; } = options;

    /// <summary>The workspace of the repository Cake runs in, locked against other runs.</summary>
    public async Task<PipelineWorkspace> OpenAsync(ICakeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (workspace is null)
        {
            var root = context.Environment.WorkingDirectory.FullPath;
            var dataFolder = Path.Combine(root, Options.Settings.DataFolder);
            var purpose = "dotnet cake " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            repositoryLock = await RepositoryLock.AcquireAsync(dataFolder, Options.Settings.LockTimeout, purpose, cancellationToken);
            workspace = await PipelineWorkspace.OpenAsync(root, Options.Settings, cancellationToken, new HashingProgressLog(context.Log));
        }

        return workspace;
    }

    /// <summary>The stages a dry run found would change their outputs, so that stages downstream can say so.</summary>
    public HashSet<string> ChangingInDryRun { get; } = new(StringComparer.Ordinal);

    /// <summary>A stage runner that reports to Cake's log and passes command output to the console.</summary>
    public async Task<StageRunner> RunnerAsync(ICakeContext context, CancellationToken cancellationToken) =>
        new(await OpenAsync(context, cancellationToken), ProcessCommandRunner.ToConsole(), new CakePipelineLog(context.Log));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (workspace is not null)
        {
            await workspace.DisposeAsync();
        }

        repositoryLock?.Dispose();
    }
}
