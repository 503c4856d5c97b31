using System.Collections.Immutable;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Parameters;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Objects;

namespace Pipeline.Core.Diffs;

/// <summary>
/// Compares the workspace's parameters and metrics with those of a git revision. Parameters at a revision are its
/// committed <c>params.yaml</c>; a metrics file at a revision is the committed file or, when metrics are not
/// committed, the cache object that revision's lock file recorded for it.
/// </summary>
/// <param name="workspace">The repository.</param>
/// <param name="git">Its git repository.</param>
/// <param name="log">Told about metrics that cannot be found at the revision.</param>
public sealed class RevisionDiff(PipelineWorkspace workspace, GitRepository git, IPipelineLog log)
{
    /// <summary>Every parameter key of either side, old and new value.</summary>
    /// <exception cref="PipelineException">The revision does not exist or a params file is not valid.</exception>
    public async Task<IReadOnlyList<DiffRow>> ParamsAsync(string revision, CancellationToken cancellationToken)
    {
        var commit = await git.ResolveAsync(revision, cancellationToken);
        var file = workspace.Settings.ParametersFile;
        var oldText = await git.ShowAsync(commit, file, cancellationToken) ?? "";
        var old = ParameterSet.Parse(oldText, $"{file} at {revision}");
        var now = await workspace.LoadParametersAsync(cancellationToken);
        return [.. Compare(file, Texts(old), Texts(now))];
    }

    /// <summary>Every key of each metrics file on either side, old and new value.</summary>
    /// <exception cref="PipelineException">The revision does not exist or a metrics file is not valid JSON.</exception>
    public async Task<IReadOnlyList<DiffRow>> MetricsAsync(string revision, IEnumerable<string> metricsFiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metricsFiles);
        var version = await new RecordedFiles(workspace, git).RevisionAsync(revision, cancellationToken);
        var rows = new List<DiffRow>();
        foreach (var path in metricsFiles.Distinct().Order(StringComparer.Ordinal))
        {
            var old = await MetricsAtAsync(version.Commit!, revision, path, version.LockFile, cancellationToken);
            rows.AddRange(Compare(path, old, await WorkspaceMetricsAsync(path, cancellationToken)));
        }

        return rows;
    }

    /// <summary>
    /// The metrics at every commit <paramref name="scope"/> names, newest first, each keyed <c>path:key</c>: read through
    /// one git process however many commits (a file not committed comes from the cache by that commit's lock file). A
    /// commit whose metrics or lock file cannot be read keeps its row, without those values, and a warning says why.
    /// </summary>
    /// <exception cref="PipelineException">The folder is not in a git repository.</exception>
    public async Task<IReadOnlyList<RevisionMetrics>> MetricsHistoryAsync(ReferenceScope scope, IEnumerable<string> metricsFiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(metricsFiles);
        var files = metricsFiles.Distinct().Order(StringComparer.Ordinal).ToList();
        var commits = await git.DescribeAsync(await git.CommitsAsync(scope.AllBranches, scope.AllTags, scope.AllCommits, cancellationToken), cancellationToken);
        List<string> read = [workspace.Settings.LockFile, .. files];
        var texts = await git.ShowManyAsync([.. commits.SelectMany(c => read.Select(path => (c.Sha, path)))], cancellationToken);
        var history = new List<RevisionMetrics>(commits.Count);
        foreach (var (commit, block) in commits.Zip(texts.Chunk(read.Count)))
        {
            history.Add(new RevisionMetrics(commit, await CommitMetricsAsync(commit.ShortSha, files, block[0], block[1..], cancellationToken)));
        }

        return history;
    }

    // One commit's metrics, keyed path:key, from its lock file's and metrics files' committed texts.
    private async Task<ImmutableSortedDictionary<string, string>> CommitMetricsAsync(
        string revision, IReadOnlyList<string> files, string? lockText, string?[] committed, CancellationToken cancellationToken)
    {
        var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        try
        {
            var lockFile = lockText is null ? LockFile.Empty : LockFileStore.Parse(lockText, $"{workspace.Settings.LockFile} at {revision}");
            foreach (var (path, text) in files.Zip(committed))
            {
                foreach (var (key, value) in await MetricsOfAsync(text, path, $"{path} at {revision}", lockFile, cancellationToken))
                {
                    values[$"{path}:{key}"] = value;
                }
            }
        }
        catch (PipelineException e)
        {
            log.Warning($"{revision}: {e.Message}");
        }

        return values.ToImmutable();
    }

    /// <summary>The flattened values of a metrics file in the workspace; empty when it does not exist.</summary>
    /// <exception cref="PipelineException">The file is not valid JSON.</exception>
    public async Task<ImmutableSortedDictionary<string, string>> WorkspaceMetricsAsync(string path, CancellationToken cancellationToken)
    {
        var full = workspace.Resolve(path);
        return File.Exists(full)
            ? MetricsFile.Parse(await File.ReadAllTextAsync(full, cancellationToken), path)
            : ImmutableSortedDictionary<string, string>.Empty;
    }

    private async Task<ImmutableSortedDictionary<string, string>> MetricsAtAsync(
        string commit, string revision, string path, LockFile lockFile, CancellationToken cancellationToken)
    {
        var committed = await git.ShowAsync(commit, path, cancellationToken);
        return await MetricsOfAsync(committed, path, $"{path} at {revision}", lockFile, cancellationToken);
    }

    // The committed text, else the cache object the revision's lock file recorded for the path.
    private async Task<ImmutableSortedDictionary<string, string>> MetricsOfAsync(
        string? committed, string path, string displayName, LockFile lockFile, CancellationToken cancellationToken)
    {
        if (committed is not null)
        {
            return MetricsFile.Parse(committed, displayName);
        }

        try
        {
            var text = await RecordedFiles.CachedTextAsync(workspace, lockFile, path, cancellationToken);
            return text is null ? ImmutableSortedDictionary<string, string>.Empty : MetricsFile.Parse(text, displayName);
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException)
        {
            log.Warning($"{displayName}: not committed, and {e.Message} (pull the cache or run that revision's pipeline)");
            return ImmutableSortedDictionary<string, string>.Empty;
        }
    }

    private static ImmutableSortedDictionary<string, string> Texts(ParameterSet parameters) =>
        parameters.Values.ToImmutableSortedDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    private static IEnumerable<DiffRow> Compare(
        string path, ImmutableSortedDictionary<string, string> old, ImmutableSortedDictionary<string, string> now) =>
        old.Keys.Union(now.Keys).Order(StringComparer.Ordinal)
            .Select(key => new DiffRow(path, key, old.GetValueOrDefault(key), now.GetValueOrDefault(key)));
}

/// <summary>The metrics at one commit.</summary>
/// <param name="Commit">The commit.</param>
/// <param name="Metrics">Each metric, keyed <c>path:key</c>.</param>
public sealed record RevisionMetrics(CommitSummary Commit, ImmutableSortedDictionary<string, string> Metrics);
