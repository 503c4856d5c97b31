using Pipeline.Core.Experiments;
using Pipeline.Core.Git;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Workspace;

namespace Pipeline.Core.Diffs;

/// <summary>
/// Where a pipeline file's other versions come from: a git revision (the committed file, else the cache object its
/// lock file recorded) or an experiment (the cache object its lock file recorded: an experiment commits nothing).
/// </summary>
/// <param name="workspace">The repository.</param>
/// <param name="git">Its git repository.</param>
public sealed class RecordedFiles(PipelineWorkspace workspace, GitRepository git)
{
    /// <summary>The experiment called <paramref name="name"/> when one is recorded, else the git revision.</summary>
    /// <exception cref="PipelineException">It is neither an experiment nor a revision, or its lock file is not valid.</exception>
    public async Task<RecordedVersion> FindAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var experiments = ExperimentStore.Of(workspace);
        if (ExperimentStore.IsName(name) && experiments.Contains(name))
        {
            var record = await experiments.FindAsync(name, cancellationToken);
            return new RecordedVersion(name, null, record.LockFile is null ? LockFile.Empty : ExperimentCommits.ReadLockFile(record));
        }

        return await RevisionAsync(name, cancellationToken);
    }

    /// <summary>The git revision <paramref name="name"/> (a branch, tag or commit; never an experiment).</summary>
    /// <exception cref="PipelineException">It is not a revision, or its lock file is not valid.</exception>
    public async Task<RecordedVersion> RevisionAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var commit = await git.ResolveAsync(name, cancellationToken);
        var lockText = await git.ShowAsync(commit, workspace.Settings.LockFile, cancellationToken);
        return new RecordedVersion(name, commit, lockText is null ? LockFile.Empty : LockFileStore.Parse(lockText, $"{workspace.Settings.LockFile} at {name}"));
    }

    /// <summary>The text of <paramref name="path"/> in <paramref name="version"/>; null when it has none.</summary>
    /// <exception cref="Pipeline.Storage.Objects.MissingObjectException">The lock file records it, but the cache lacks it.</exception>
    /// <exception cref="Pipeline.Storage.Objects.CorruptObjectException">The cache's copy is damaged.</exception>
    public async Task<string?> ReadTextAsync(RecordedVersion version, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        var committed = version.Commit is null ? null : await git.ShowAsync(version.Commit, path, cancellationToken);
        return committed ?? await CachedTextAsync(workspace, version.LockFile, path, cancellationToken);
    }

    /// <summary>The cache's copy of the file <paramref name="lockFile"/> records at <paramref name="path"/>; null when it records none.</summary>
    /// <exception cref="Pipeline.Storage.Objects.MissingObjectException">The cache lacks it.</exception>
    /// <exception cref="Pipeline.Storage.Objects.CorruptObjectException">The cache's copy is damaged.</exception>
    public static async Task<string?> CachedTextAsync(PipelineWorkspace workspace, LockFile lockFile, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(lockFile);
        var recorded = lockFile.Stages.Values.SelectMany(s => s.Outputs).FirstOrDefault(o => o.Path == path);
        if (recorded is null)
        {
            return null;
        }

        await workspace.Cache.EnsureIntactAsync(recorded.Content.Hash, cancellationToken);
        return await File.ReadAllTextAsync(workspace.Cache.PathOf(recorded.Content.Hash), cancellationToken);
    }
}

/// <summary>A version of the pipeline's files other than the workspace's.</summary>
/// <param name="Name">The revision or experiment as the user named it.</param>
/// <param name="Commit">The commit, for a git revision; null for an experiment.</param>
/// <param name="LockFile">Its lock file: where its outputs are in the cache.</param>
public sealed record RecordedVersion(string Name, string? Commit, LockFile LockFile);
