using Pipeline.Core.Workspace;
using Pipeline.Remotes;
using Pipeline.Remotes.Configuration;
using Pipeline.Remotes.Progress;
using Pipeline.Remotes.S3;

namespace Pipeline.Cake;

/// <summary>A workspace connected to one configured remote, with console progress: what every remote target needs.</summary>
public sealed class RemoteConnection : IDisposable
{
    private readonly IRemote remote;
    private readonly ConsoleProgress progress;

    private RemoteConnection(IRemote remote, ConsoleProgress progress, RemoteTransfer transfer)
    {
        this.remote = remote;
        this.progress = progress;
        Transfer = transfer;
    }

    /// <summary>The remote's configuration.</summary>
    public RemoteDefinition Definition => remote.Definition;

    /// <summary>Moves objects between the workspace's cache and the remote.</summary>
    public RemoteTransfer Transfer { get; }

    /// <summary>Connects <paramref name="workspace"/> to the remote <paramref name="options"/> name (or the default).</summary>
    /// <exception cref="Core.PipelineException">The remote configuration is malformed or names no such remote.</exception>
    public static async Task<RemoteConnection> OpenAsync(PipelineWorkspace workspace, RemoteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(options);
        var definition = (await RemoteConfigFile.LoadAsync(workspace.Root, cancellationToken)).Select(options.Remote);
        var jobs = options.Jobs ?? definition.Jobs ?? TransferOptions.DefaultJobs;
        var remote = RemoteOpener.Open(definition, workspace.Root);
        var progress = ConsoleProgress.ForConsole();
        return new RemoteConnection(remote, progress, new RemoteTransfer(workspace, remote, new TransferOptions(jobs, RetryPolicy.Default), progress));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        progress.Dispose();
        remote.Dispose();
    }
}
