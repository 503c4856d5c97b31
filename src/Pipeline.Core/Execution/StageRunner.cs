using System.Collections.Immutable;
using System.Diagnostics;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Stages;
using Pipeline.Core.Status;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Cache;

namespace Pipeline.Core.Execution;

/// <summary>
/// Brings one stage up to date: skips it when nothing changed, restores its outputs from the cache when only they
/// differ, and otherwise runs it, caches its outputs and only then records the run in the lock file.
/// </summary>
/// <param name="workspace">The repository.</param>
/// <param name="commands">Runs stage commands.</param>
/// <param name="log">Reports what happens.</param>
public sealed class StageRunner(PipelineWorkspace workspace, ICommandRunner commands, IPipelineLog log)
{
    private readonly StatusChecker checker = new(workspace);

    /// <summary>Reproduces <paramref name="stage"/>, assuming every stage upstream of it is already up to date.</summary>
    /// <exception cref="PipelineException">A dependency is missing, the command fails or an output is not written.</exception>
    public async Task<StageOutcome> ReproduceAsync(StageDefinition stage, ReproOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(options);
        var parameters = await workspace.LoadParametersAsync(cancellationToken);
        var lockFile = await workspace.LockFiles.ReadAsync(cancellationToken);
        var status = await checker.CheckAsync(stage, lockFile.Find(stage.Name), parameters, cancellationToken);
        if (status.IsUpToDate && !options.Force)
        {
            log.Information($"Stage '{stage.Name}' didn't change, skipping");
            return StageOutcome.Skipped;
        }

        if (status.IsRestorable && !options.Force && await TryRestoreAsync(status, lockFile.Find(stage.Name)!, cancellationToken))
        {
            return StageOutcome.Restored;
        }

        await RunAsync(status, options.Force && status.IsUpToDate ? "forced" : status.Describe(), cancellationToken);
        return StageOutcome.Ran;
    }

    private async Task<bool> TryRestoreAsync(StageStatus status, StageLock recorded, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var output in recorded.Outputs)
            {
                await workspace.Checkout.RestoreAsync(output.Content.Hash, workspace.Resolve(output.Path), cancellationToken);
            }
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException)
        {
            log.Warning($"Stage '{status.Stage.Name}': {e.Message}; running the stage instead of restoring");
            return false;
        }
        finally
        {
            await workspace.SaveStateAsync(cancellationToken);
        }

        log.Information($"Stage '{status.Stage.Name}' didn't change; restored from the cache ({status.Describe()})");
        return true;
    }

    private async Task RunAsync(StageStatus status, string reason, CancellationToken cancellationToken)
    {
        var stage = status.Stage;
        RequireDependencies(stage, status.Current);
        log.Information($"Running stage '{stage.Name}' ({reason}):");
        log.Information($"> {stage.Command}");
        DeleteOutputs(stage);
        var clock = Stopwatch.StartNew();
        await commands.RunAsync(stage.Name, stage.Command, workspace.Root, cancellationToken);
        var outputs = await CacheOutputsAsync(stage, cancellationToken);

        // Read again: another stage may have been recorded since this one started.
        var lockFile = await workspace.LockFiles.ReadAsync(cancellationToken);
        await workspace.LockFiles.WriteAsync(lockFile.With(stage.Name, status.Current with { Outputs = outputs }), cancellationToken);
        await workspace.SaveStateAsync(cancellationToken);
        log.Information($"Stage '{stage.Name}' finished in {clock.Elapsed.TotalSeconds:0.0}s; outputs cached and recorded in {workspace.Settings.LockFile}");
    }

    private static void RequireDependencies(StageDefinition stage, StageLock current)
    {
        var missing = stage.Dependencies.FirstOrDefault(d => !current.Dependencies.Any(p => p.Path == d));
        if (missing is not null)
        {
            throw new PipelineException($"stage '{stage.Name}': dependency '{missing}' does not exist");
        }
    }

    private void DeleteOutputs(StageDefinition stage)
    {
        foreach (var output in stage.AllOutputs.Select(workspace.Resolve))
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
            else
            {
                File.Delete(output);
            }
        }
    }

    private async Task<ImmutableArray<PathState>> CacheOutputsAsync(StageDefinition stage, CancellationToken cancellationToken)
    {
        var outputs = ImmutableArray.CreateBuilder<PathState>();
        foreach (var path in stage.AllOutputs.Order(StringComparer.Ordinal))
        {
            var full = workspace.Resolve(path);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw new PipelineException($"stage '{stage.Name}' did not write its declared output '{path}'");
            }

            var hashed = await workspace.Hasher.HashAsync(full, cancellationToken);
            if (hashed.Manifest is { } manifest)
            {
                await workspace.Cache.AddDirectoryAsync(full, manifest, cancellationToken);
            }
            else
            {
                await workspace.Cache.AddFileAsync(full, hashed.Info.Hash, cancellationToken);
            }

            outputs.Add(new PathState(path, hashed.Info));
        }

        return outputs.ToImmutable();
    }
}
