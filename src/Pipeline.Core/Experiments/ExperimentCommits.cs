using Pipeline.Core.Git;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Workspace;

namespace Pipeline.Core.Experiments;

/// <summary>
/// An experiment as git sees it: a commit on its base commit holding the parameters file and lock file it ran with,
/// made without touching the work tree. A branch (<c>ExpBranch</c>) gets those two files; the ref
/// <c>refs/experiments/NAME</c> that <c>ExpPush</c> shares gets the experiment's record too, at the path the record
/// has in a repository, so that <c>ExpPull</c> reads it back from the fetched ref.
/// </summary>
public static class ExperimentCommits
{
    /// <summary>Where shared experiments' refs live, as DVC keeps them apart from branches.</summary>
    public const string RefPrefix = "refs/experiments/";

    /// <summary>The parameters file an experiment runs with: its base commit's, with its overrides applied.</summary>
    /// <exception cref="PipelineException">The file is not committed there, or an override names a key it lacks.</exception>
    public static async Task<string> ParametersOfAsync(
        GitRepository git, string parametersFile, string baseCommit, IEnumerable<ParameterOverride> overrides, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(git);
        var committed = await git.ShowAsync(baseCommit, parametersFile, cancellationToken)
            ?? throw new PipelineException($"{parametersFile} is not committed at {baseCommit[..Math.Min(7, baseCommit.Length)]}");
        return ParameterOverride.Apply(committed, parametersFile, overrides);
    }

    /// <summary>Makes the commit of <paramref name="record"/>, with the record itself in it when <paramref name="withRecord"/>.</summary>
    /// <returns>The commit's id.</returns>
    /// <exception cref="PipelineException">The experiment failed (nothing to commit), or git refuses.</exception>
    public static async Task<string> CommitAsync(PipelineWorkspace repository, ExperimentRecord record, bool withRecord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(record);
        var lockFile = LockFileOf(record);
        var git = new GitRepository(repository.Root);
        var settings = repository.Settings;
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [settings.ParametersFile] = await ParametersOfAsync(git, settings.ParametersFile, record.BaseCommit, Overrides(record), cancellationToken),
            [settings.LockFile] = lockFile,
        };
        if (withRecord)
        {
            files[RecordPath(repository, record.Name)] = ExperimentStore.Serialize(record);
        }

        var metrics = string.Join(", ", record.Metrics.Select(m => $"{m.Key} {m.Value}"));
        var message = $"Experiment {record.Name}: {string.Join(", ", record.Overrides.Select(o => $"{o.Key}={o.Value}"))}\n\n{metrics}\n";
        return await git.CommitFilesAsync(record.BaseCommit, files, message, cancellationToken);
    }

    /// <summary>The record's lock file's text.</summary>
    /// <exception cref="PipelineException">The experiment failed, so it has no complete lock file.</exception>
    public static string LockFileOf(ExperimentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record is { Status: ExperimentStatus.Succeeded, LockFile: { } text }
            ? text
            : throw new PipelineException($"experiment '{record.Name}' failed; it has no outputs to use (ExpQueue shows its log)");
    }

    /// <summary>The record's lock file, read.</summary>
    /// <exception cref="PipelineException">The experiment failed, or its lock file is not one.</exception>
    public static LockFile ReadLockFile(ExperimentRecord record) =>
        LockFileStore.Parse(LockFileOf(record), $"the lock file of experiment '{record.Name}'");

    /// <summary>The record's parameter overrides.</summary>
    public static IReadOnlyList<ParameterOverride> Overrides(ExperimentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return [.. record.Overrides.Select(o => new ParameterOverride(o.Key, o.Value))];
    }

    /// <summary>Where an experiment's record is in a repository, relative to its root, with '/' separators.</summary>
    public static string RecordPath(PipelineWorkspace repository, string name)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return $"{repository.Settings.DataFolder}/experiments/{ExperimentStore.CheckName(name)}.json";
    }
}
