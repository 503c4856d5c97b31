using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.Workspace;
using Pipeline.Storage;
using Pipeline.Storage.Objects;

namespace Pipeline.Core.Experiments;

/// <summary>
/// Puts an experiment into the workspace as if it had run there (<c>dvc exp apply</c>): its parameters file, its lock
/// file and its outputs, checked out of the cache, nothing rerun. Every output is checked to be in the cache before
/// anything changes, so a missing one leaves the workspace as it was.
/// </summary>
public static class ExperimentApply
{
    /// <summary>Applies <paramref name="record"/> to <paramref name="repository"/>'s workspace.</summary>
    /// <param name="repository">The workspace.</param>
    /// <param name="record">The experiment.</param>
    /// <param name="force">Overwrite a parameters or lock file with changes that are not committed.</param>
    /// <param name="log">Told what was applied.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="PipelineException">The experiment failed, a file it would replace has uncommitted changes, or an output is not in the cache.</exception>
    public static async Task ApplyAsync(PipelineWorkspace repository, ExperimentRecord record, bool force, IPipelineLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(log);
        var settings = repository.Settings;
        var lockFile = ExperimentCommits.ReadLockFile(record);
        var git = new GitRepository(repository.Root);
        var edited = force ? [] : await git.ModifiedAsync([settings.ParametersFile, settings.LockFile], cancellationToken);
        if (edited.Count > 0)
        {
            throw new PipelineException($"ExpApply: {string.Join(" and ", edited)} {(edited.Count == 1 ? "has" : "have")} changes that are not committed; commit or stash them, or pass --force to overwrite them");
        }

        var parameters = await ExperimentCommits.ParametersOfAsync(git, settings.ParametersFile, record.BaseCommit, ExperimentCommits.Overrides(record), cancellationToken);
        var outputs = lockFile.Stages.Values.SelectMany(s => s.Outputs).DistinctBy(o => o.Path).ToList();
        foreach (var output in outputs)
        {
            try
            {
                await repository.Cache.EnsureCompleteAsync(output.Content.Hash, cancellationToken);
            }
            catch (Exception e) when (e is MissingObjectException or CorruptObjectException)
            {
                throw new PipelineException($"ExpApply: output '{output.Path}' of experiment '{record.Name}' is not in the local cache ({e.Message}); fetch it with ExpPull or Fetch", e);
            }
        }

        foreach (var output in outputs)
        {
            await repository.Checkout.RestoreAsync(output.Content.Hash, repository.Resolve(output.Path), cancellationToken);
        }

        await AtomicFile.WriteAllBytesAsync(repository.Resolve(settings.ParametersFile), System.Text.Encoding.UTF8.GetBytes(parameters), cancellationToken);
        await repository.LockFiles.WriteAsync(lockFile, cancellationToken);
        await repository.SaveStateAsync(cancellationToken);
        var head = await git.HeadAsync(cancellationToken);
        log.Information($"Applied experiment '{record.Name}': {settings.ParametersFile}, {settings.LockFile} and {outputs.Count} outputs ({string.Join(", ", outputs.Select(o => o.Path))})");
        if (head != record.BaseCommit)
        {
            log.Warning($"Experiment '{record.Name}' ran on {record.BaseCommit[..7]}, the workspace is on {head?[..7] ?? "no commit"}: Status shows what differs");
        }
    }
}
