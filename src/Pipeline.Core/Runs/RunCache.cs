using System.Security.Cryptography;
using System.Text;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Stages;
using Pipeline.Core.Workspace;
using Pipeline.Storage;
using Pipeline.Storage.Objects;

namespace Pipeline.Core.Runs;

/// <summary>
/// Remembers every successful run by the content of its inputs, so that going back to inputs seen before (a parameter
/// switched back, another branch checked out) restores the outputs from the cache instead of running again.
/// An entry is <c>.pipeline/runs/STAGE/KEY</c>, KEY being the MD5 of the command, dependency hashes and parameter
/// values; it holds the run in the lock file's format, outputs included.
/// </summary>
/// <param name="root">The folder that holds the entries (<see cref="PipelineWorkspace.RunCacheFolder"/>).</param>
/// <param name="cache">The cache the entries' outputs must be in, intact, to be used.</param>
public sealed class RunCache(string root, FolderObjectDatabase cache)
{
    /// <summary>The folder that holds the entries.</summary>
    public string Root { get; } = root;

    /// <summary>The key of a run: the MD5 of its command, dependency hashes and parameter values.</summary>
    public static string KeyOf(StageLock run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var text = new StringBuilder().Append("cmd ").Append(run.Command).Append('\n');
        foreach (var dependency in run.Dependencies)
        {
            text.Append("dep ").Append(dependency.Path).Append(' ').Append(dependency.Content.Hash.Value).Append('\n');
        }

        foreach (var (key, value) in run.Parameters)
        {
            text.Append("param ").Append(key).Append('=').Append(value).Append('\n');
        }

        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Records a successful run of <paramref name="stage"/>, atomically.</summary>
    public Task RecordAsync(string stage, StageLock run, CancellationToken cancellationToken) =>
        new LockFileStore(EntryPath(stage, KeyOf(run))).WriteAsync(LockFile.Empty.With(stage, run), cancellationToken);

    /// <summary>
    /// An earlier run of <paramref name="stage"/> with the inputs of <paramref name="current"/> whose outputs are all in
    /// the cache, intact, and are the outputs the stage now declares; <c>null</c> when there is none.
    /// </summary>
    /// <param name="stage">The stage.</param>
    /// <param name="current">The command, dependencies and parameters a run now would record.</param>
    /// <param name="unusable">Told why an entry that matched cannot be used.</param>
    /// <param name="cancellationToken">Stops the lookup.</param>
    public async Task<StageLock?> FindAsync(
        StageDefinition stage, StageLock current, Action<string> unusable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(unusable);
        var entry = await ReadAsync(EntryPath(stage.Name, KeyOf(current)), stage.Name, cancellationToken);
        if (entry is null || KeyOf(entry) != KeyOf(current) || !DeclaresSameOutputs(stage, entry))
        {
            return null;
        }

        try
        {
            foreach (var output in entry.Outputs)
            {
                await cache.EnsureCompleteAsync(output.Content.Hash, cancellationToken);
            }
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException or InvalidDataException)
        {
            unusable($"the run-cache entry cannot be used: {e.Message}");
            return null;
        }

        return entry;
    }

    /// <summary>Every entry as (file, stage, run); entries that cannot be read are skipped.</summary>
    public async Task<IReadOnlyList<(string File, string Stage, StageLock Run)>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new List<(string, string, StageLock)>();
        if (!Directory.Exists(Root))
        {
            return entries;
        }

        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            var stage = Path.GetFileName(folder);
            foreach (var file in Directory.EnumerateFiles(folder).Where(f => !f.EndsWith(AtomicFile.TemporarySuffix, StringComparison.Ordinal)))
            {
                if (await ReadAsync(file, stage, cancellationToken) is { } run)
                {
                    entries.Add((file, stage, run));
                }
            }
        }

        return entries;
    }

    private string EntryPath(string stage, string key) => Path.Combine(Root, stage, key);

    private static bool DeclaresSameOutputs(StageDefinition stage, StageLock entry) =>
        entry.Outputs.Select(o => o.Path).Order(StringComparer.Ordinal)
            .SequenceEqual(stage.AllOutputs.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static async Task<StageLock?> ReadAsync(string file, string stage, CancellationToken cancellationToken)
    {
        try
        {
            return (await new LockFileStore(file).ReadAsync(cancellationToken)).Find(stage);
        }
        catch (PipelineException)
        {
            // A damaged entry is only a lost shortcut: the stage runs instead.
            return null;
        }
    }
}
