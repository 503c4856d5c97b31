using Pipeline.Core.Workspace;
using Pipeline.Remotes;
using Pipeline.Remotes.Configuration;
using Pipeline.Remotes.Progress;
using Pipeline.Storage.Objects;

namespace Pipeline.Cake;

/// <summary>A workspace connected to one configured remote, with console progress: what every remote target needs.</summary>
public sealed class RemoteConnection : IDisposable
{
    private readonly IObjectDatabase remote;
    private readonly ConsoleProgress progress;

    private RemoteConnection(RemoteDefinition definition, IObjectDatabase remote, ConsoleProgress progress, RemoteTransfer transfer)
    {
        Definition = definition;
        this.remote = remote;
        this.progress = progress;
        Transfer = transfer;
    }

    /// <summary>The remote's configuration.</summary>
    public RemoteDefinition Definition { get; }

    /// <summary>The remote's objects, for what reads them beyond transfers (a listing).</summary>
    public IObjectDatabase Database => remote;

    /// <summary>Moves objects between the workspace's cache and the remote.</summary>
    public RemoteTransfer Transfer { get; }

    /// <summary>Connects <paramref name="workspace"/> to the remote called <paramref name="name"/> (or the default), opened as one of <paramref name="kinds"/>.</summary>
    /// <param name="workspace">The workspace whose cache objects move.</param>
    /// <param name="name">The remote; the configured default when null.</param>
    /// <param name="jobs">Objects moved at once; the remote's <c>jobs:</c>, else the default, when null.</param>
    /// <param name="kinds">The kinds of remote the configuration may name.</param>
    /// <param name="cancellationToken">Stops reading the configuration.</param>
    /// <exception cref="Core.PipelineException">The remote configuration is malformed or names no such remote.</exception>
    public static async Task<RemoteConnection> OpenAsync(PipelineWorkspace workspace, string? name, int? jobs, RemoteKinds kinds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(kinds);
        var definition = (await RemoteConfigFile.LoadAsync(workspace.Root, kinds, cancellationToken)).Select(name);
        jobs ??= definition.Jobs ?? TransferOptions.DefaultJobs;
        var remote = kinds.Open(definition, workspace.Root);
        var progress = ConsoleProgress.ForConsole();
        return new RemoteConnection(definition, remote, progress, new RemoteTransfer(workspace.Cache, remote, new TransferOptions(jobs.Value, RetryPolicy.Default), progress));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        progress.Dispose();
        remote.Dispose();
    }
}
