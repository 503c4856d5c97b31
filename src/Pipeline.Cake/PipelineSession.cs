using Cake.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Workspace;

namespace Pipeline.Cake;

/// <summary>
/// The state one Cake run shares between all its pipeline tasks and targets: the options, the repository lock, taken
/// by the first task that needs it and held until Cake's teardown, the open workspace, and the adapters. One per run,
/// so that a target depending on both Repro and Push holds one lock, not two that clash.
/// </summary>
/// <param name="options">The run's options.</param>
/// <param name="adapters">What the composition root wired in.</param>
public sealed class PipelineSession(PipelineOptions options, PipelineAdapters adapters) : IAsyncDisposable
{
    private RepositoryLock? repositoryLock;
    private PipelineWorkspace? workspace;

    /// <summary>The run's options.</summary>
    public PipelineOptions Options { get; } = options;

    /// <summary>What the composition root wired in.</summary>
    public PipelineAdapters Adapters { get; } = adapters;

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

    /// <summary>The workspace connected to the remote <c>--remote</c> names (or the default one).</summary>
    /// <exception cref="Core.PipelineException">The remote configuration is malformed or names no such remote.</exception>
    public async Task<RemoteConnection> ConnectAsync(ICakeContext context, CancellationToken cancellationToken) =>
        await RemoteConnection.OpenAsync(await OpenAsync(context, cancellationToken), RemoteOptions.From(context), Adapters.RemoteKinds, cancellationToken);

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
