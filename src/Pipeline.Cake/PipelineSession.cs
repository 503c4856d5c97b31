using System.Runtime.CompilerServices;
using Cake.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Workspace;

namespace Pipeline.Cake;

/// <summary>
/// The state one Cake run shares between all its pipeline tasks and targets: the options, the repository lock, taken
/// by the first task that needs it and held until Cake's teardown, the open workspace, and the adapters. One per run,
/// so that a target depending on both Repro and Push holds one lock, not two that clash. The aliases
/// (<see cref="PipelineAliases"/>, <see cref="DataRemoteAliases"/>) use the session of their context when
/// <see cref="PipelineTasks"/> registered one, else one of their own for the call.
/// </summary>
/// <param name="options">The run's options.</param>
/// <param name="adapters">What the composition root wired in.</param>
public sealed class PipelineSession(PipelineOptions options, PipelineAdapters adapters) : IAsyncDisposable
{
    private static readonly ConditionalWeakTable<ICakeContext, PipelineSession> Sessions = [];
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

    /// <summary>The workspace connected to the remote <paramref name="settings"/> names (or the default one).</summary>
    /// <exception cref="Core.PipelineException">The remote configuration is malformed or names no such remote.</exception>
    public async Task<RemoteConnection> ConnectAsync(ICakeContext context, DataRemoteSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var workspace = await OpenAsync(context, cancellationToken);
        return await RemoteConnection.OpenAsync(workspace, settings.Remote, settings.Jobs, settings.Kinds ?? Adapters.RemoteKinds, cancellationToken);
    }

    /// <summary>Makes this the session the aliases use for <paramref name="context"/> for the rest of the run.</summary>
    internal void Attach(ICakeContext context) => Sessions.AddOrUpdate(context, this);

    /// <summary>
    /// Runs <paramref name="action"/> with the session attached to <paramref name="context"/>, or with a session of its
    /// own (its lock released when the action ends) in a script that registered none.
    /// </summary>
    internal static async Task<T> UseAsync<T>(ICakeContext context, Func<PipelineSession, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Sessions.TryGetValue(context, out var attached))
        {
            return await action(attached);
        }

        await using var session = new PipelineSession(PipelineOptions.From(context), new PipelineAdapters());
        return await action(session);
    }

    /// <summary><see cref="UseAsync{T}"/> for an action with no result.</summary>
    internal static Task UseAsync(ICakeContext context, Func<PipelineSession, Task> action) =>
        UseAsync(context, async session =>
        {
            await action(session);
            return true;
        });

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
