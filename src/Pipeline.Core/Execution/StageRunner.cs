using System.Collections.Immutable;
using System.Diagnostics;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Runs;
using Pipeline.Core.Stages;
using Pipeline.Core.Status;
using Pipeline.Core.Tracking;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Objects;

namespace Pipeline.Core.Execution;

/// <summary>
/// Brings one stage up to date: skips it when nothing changed, restores its outputs from the cache when only they
/// differ or when an earlier run had the same inputs (the run-cache), and otherwise runs it, caches its outputs and
/// only then records the run in the lock file and the run-cache.
/// </summary>
/// <param name="workspace">The repository.</param>
/// <param name="commands">Runs stage commands.</param>
/// <param name="log">Reports what happens.</param>
public sealed class StageRunner(PipelineWorkspace workspace, ICommandRunner commands, IPipelineLog log)
{
    private readonly StatusChecker checker = new(workspace.WorkTree, workspace.Hasher);
    private readonly RunCache runCache = new(workspace.RunCacheFolder, workspace.Cache);
    private readonly ProgramBuilder programs = new(workspace.Root, workspace.Hasher, commands, log);
    private readonly CacheCommit cacheCommit = new(workspace.WorkTree, workspace.Hasher, workspace.Cache);

    /// <summary>Reproduces <paramref name="stage"/>, assuming every stage upstream of it is already up to date.</summary>
    /// <exception cref="PipelineException">A dependency is missing, the command fails or an output is not written.</exception>
    public async Task<StageOutcome> ReproduceAsync(StageDefinition stage, ReproOptions options, CancellationToken cancellationToken) =>
        await CarryOutAsync(await PlanAsync(stage, options, cancellationToken), cancellationToken);

    /// <summary>Does what <paramref name="plan"/> (made by <see cref="PlanAsync"/> just before) says.</summary>
    /// <returns>What happened: a restore that turns out impossible runs the stage instead.</returns>
    /// <exception cref="PipelineException">A dependency is missing, the command fails or an output is not written.</exception>
    public async Task<StageOutcome> CarryOutAsync(StagePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var stage = plan.Status.Stage;
        switch (plan.Outcome)
        {
            case StageOutcome.Skipped:
                log.Information($"Stage '{stage.Name}' didn't change, skipping{await CommitUncachedAsync(plan, cancellationToken)}");
                return StageOutcome.Skipped;
            case StageOutcome.Restored when await TryRestoreAsync(plan, cancellationToken):
                log.Information($"Stage '{stage.Name}' didn't change; restored from the cache ({plan.Reason})");
                return StageOutcome.Restored;
            case StageOutcome.RestoredFromRunCache when await TryRestoreAsync(plan, cancellationToken):
                await RecordAsync(stage, plan.Status.Current with { Outputs = plan.Source!.Outputs }, cancellationToken);
                log.Information($"Stage '{stage.Name}' restored from the run-cache: an earlier run with the same inputs ({plan.Reason})");
                return StageOutcome.RestoredFromRunCache;
            default:
                await RunAsync(plan.Status, plan.Reason, cancellationToken);
                return StageOutcome.Ran;
        }
    }

    /// <summary>
    /// What <see cref="ReproduceAsync"/> would do now and why, changing nothing; a restore is planned only when every
    /// object it needs is in the cache and intact.
    /// </summary>
    /// <exception cref="PipelineException">A declared parameter is not defined or a file cannot be read.</exception>
    public async Task<StagePlan> PlanAsync(StageDefinition stage, ReproOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(options);
        var parameters = await workspace.LoadParametersAsync(cancellationToken);
        var recorded = (await workspace.LockFiles.ReadAsync(cancellationToken)).Find(stage.Name);
        var status = await checker.CheckAsync(stage, recorded, parameters, cancellationToken);
        if (options.Force)
        {
            return new StagePlan(status, StageOutcome.Ran, status.IsUpToDate ? "forced" : $"forced; {status.Describe()}")
            {
                ProgramBuild = await WhyBuildAsync(stage, cancellationToken),
            };
        }

        if (status.IsUpToDate)
        {
            return new StagePlan(status, StageOutcome.Skipped, "nothing changed") { Uncached = await UncachedAsync(recorded!, cancellationToken) };
        }

        if (status.IsRestorable && await AllCachedAsync(stage, recorded!, cancellationToken))
        {
            return new StagePlan(status, StageOutcome.Restored, status.Describe()) { Source = recorded };
        }

        var earlier = HasAllDependencies(stage, status.Current)
            ? await runCache.FindAsync(stage, status.Current, why => log.Warning($"Stage '{stage.Name}': {why}; running the stage"), cancellationToken)
            : null;
        return earlier is null
            ? new StagePlan(status, StageOutcome.Ran, status.Describe()) { ProgramBuild = await WhyBuildAsync(stage, cancellationToken) }
            : new StagePlan(status, StageOutcome.RestoredFromRunCache, status.Describe()) { Source = earlier };
    }

    private async Task<string?> WhyBuildAsync(StageDefinition stage, CancellationToken cancellationToken)
    {
        try
        {
            return stage.Program is { } program ? await programs.WhyBuildAsync(program, cancellationToken) : null;
        }
        catch (PipelineException e)
        {
            throw new PipelineException($"stage '{stage.Name}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Records a run of the planned stage that happened elsewhere (in a training pod, say): its outputs, already in the
    /// cache, are verified, checked out and recorded in the lock file and the run-cache as a local run's would be.
    /// </summary>
    /// <exception cref="PipelineException">The outputs are not the stage's declared ones, or an object is missing or corrupt.</exception>
    public async Task AdoptAsync(StagePlan plan, ImmutableArray<PathState> outputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var stage = plan.Status.Stage;
        var declared = stage.AllOutputs.Order(StringComparer.Ordinal).ToList();
        var reported = outputs.Select(o => o.Path).Order(StringComparer.Ordinal).ToList();
        if (!declared.SequenceEqual(reported))
        {
            throw new PipelineException($"stage '{stage.Name}': the remote run reported outputs [{string.Join(", ", reported)}], expected [{string.Join(", ", declared)}]");
        }

        try
        {
            foreach (var output in outputs)
            {
                await workspace.Cache.EnsureCompleteAsync(output.Content.Hash, cancellationToken);
                await workspace.Checkout.RestoreAsync(output.Content.Hash, workspace.Resolve(output.Path), cancellationToken);
            }
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException)
        {
            throw new PipelineException($"stage '{stage.Name}': output of the remote run unusable: {e.Message}", e);
        }

        var run = plan.Status.Current with { Outputs = [.. outputs.OrderBy(o => o.Path, StringComparer.Ordinal)] };
        await RecordAsync(stage, run, cancellationToken);
        await runCache.RecordAsync(stage.Name, run, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> UncachedAsync(StageLock recorded, CancellationToken cancellationToken)
    {
        var uncached = new List<string>();
        foreach (var output in recorded.Outputs)
        {
            if (!await cacheCommit.IsCachedAsync(output, cancellationToken))
            {
                uncached.Add(output.Path);
            }
        }

        return uncached;
    }

    // An up-to-date stage's outputs in the workspace are the recorded ones: what the cache lacks of them is stored from
    // there, so the cache never silently stops holding what the lock file points at.
    private async Task<string> CommitUncachedAsync(StagePlan plan, CancellationToken cancellationToken)
    {
        if (plan.Uncached.Count == 0)
        {
            return "";
        }

        var outputs = plan.Status.Current.Outputs.Where(o => plan.Uncached.Contains(o.Path));
        var result = await cacheCommit.CommitAsync(outputs, cancellationToken);
        var stored = string.Join(", ", result.Stored.Select(p => $"{p.Path}: {p.Objects} {(p.Objects == 1 ? "object" : "objects")}"));
        return result.Unavailable.Count > 0
            ? throw new PipelineException($"stage '{plan.StageName}': {string.Join(", ", result.Unavailable)} changed while it was being stored in the cache; run again")
            : $"; stored its outputs the cache lacked from the workspace ({stored})";
    }

    private async Task<bool> AllCachedAsync(StageDefinition stage, StageLock recorded, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var output in recorded.Outputs)
            {
                await workspace.Cache.EnsureCompleteAsync(output.Content.Hash, cancellationToken);
            }

            return true;
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException or InvalidDataException)
        {
            log.Warning($"Stage '{stage.Name}': {e.Message}; running the stage instead of restoring");
            return false;
        }
    }

    private async Task<bool> TryRestoreAsync(StagePlan plan, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var output in plan.Source!.Outputs)
            {
                await workspace.Checkout.RestoreAsync(output.Content.Hash, workspace.Resolve(output.Path), cancellationToken);
            }

            return true;
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException)
        {
            // Checked while planning; this is another process changing the cache in between.
            log.Warning($"Stage '{plan.StageName}': {e.Message}; running the stage instead of restoring");
            return false;
        }
        finally
        {
            await workspace.SaveStateAsync(cancellationToken);
        }
    }

    private async Task RunAsync(StageStatus status, string reason, CancellationToken cancellationToken)
    {
        var stage = status.Stage;
        RequireDependencies(stage, status.Current);
        await BuildProgramAsync(stage, cancellationToken);
        log.Information($"Running stage '{stage.Name}' ({reason}):");
        log.Information($"> {stage.Command}");
        var environment = await StageEnvironment.ForAsync(stage, workspace.Root, log, cancellationToken);
        DeleteOutputs(stage);
        var clock = Stopwatch.StartNew();
        var exitCode = await RunCommandAsync(stage, environment, cancellationToken);
        if (exitCode != 0)
        {
            throw new PipelineException($"stage '{stage.Name}' failed: '{stage.Command}' exited with code {exitCode}");
        }

        var outputs = await CacheOutputsAsync(stage, cancellationToken);
        var run = status.Current with { Outputs = outputs };
        await RecordAsync(stage, run, cancellationToken);
        await runCache.RecordAsync(stage.Name, run, cancellationToken);
        log.Information($"Stage '{stage.Name}' finished in {clock.Elapsed.TotalSeconds:0.0}s; outputs cached and recorded in {workspace.Settings.LockFile}");
    }

    // Before anything is deleted: a program that does not compile leaves the outputs, the lock and the cache as they were.
    private async Task BuildProgramAsync(StageDefinition stage, CancellationToken cancellationToken)
    {
        try
        {
            if (stage.Program is { } program)
            {
                await programs.EnsureBuiltAsync(program, cancellationToken);
            }
        }
        catch (PipelineException e)
        {
            throw new PipelineException($"stage '{stage.Name}': {e.Message}", e);
        }
    }

    private async Task<int> RunCommandAsync(StageDefinition stage, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        try
        {
            return await commands.RunAsync(stage.Command, workspace.Root, environment, cancellationToken);
        }
        catch (PipelineException e)
        {
            throw new PipelineException($"stage '{stage.Name}': {e.Message}", e);
        }
    }

    private async Task RecordAsync(StageDefinition stage, StageLock run, CancellationToken cancellationToken)
    {
        await workspace.LockFiles.RecordAsync(stage.Name, run, cancellationToken);
        await workspace.SaveStateAsync(cancellationToken);
    }

    private static bool HasAllDependencies(StageDefinition stage, StageLock current) =>
        stage.Dependencies.All(d => current.Dependencies.Any(p => p.Path == d));

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
            else if (File.Exists(output))
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
            if (!workspace.WorkTree.Exists(path))
            {
                throw new PipelineException($"stage '{stage.Name}' did not write its declared output '{path}'");
            }

            var hashed = await workspace.Hasher.HashAsync(full, cancellationToken);
            await workspace.Cache.AddAsync(full, hashed, cancellationToken);

            outputs.Add(new PathState(path, hashed.Info));
        }

        return outputs.ToImmutable();
    }
}
