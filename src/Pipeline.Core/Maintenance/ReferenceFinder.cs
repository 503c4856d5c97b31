using Pipeline.Core.Git;
using Pipeline.Core.Experiments;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Tracking;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.Maintenance;

/// <summary>Whose references keep data alive: the workspace's always, and on request those of git revisions.</summary>
/// <param name="AllBranches">The tip of every local branch.</param>
/// <param name="AllTags">Every tag.</param>
/// <param name="AllCommits">Every commit reachable from any ref.</param>
public sealed record ReferenceScope(bool AllBranches = false, bool AllTags = false, bool AllCommits = false)
{
    /// <summary>Whether any git revision is to be read.</summary>
    public bool ReadsGit => AllBranches || AllTags || AllCommits;
}

/// <summary>The roots a scope refers to (lock-file outputs and pointer-tracked paths, by hash), and how many commits were read.</summary>
/// <param name="Roots">The referenced objects; a folder's hash names its manifest, whose files are referenced too.</param>
/// <param name="RevisionsRead">How many git commits were read.</param>
public sealed record References(IReadOnlySet<ContentHash> Roots, int RevisionsRead);

/// <summary>
/// Finds what a repository refers to: the outputs in its lock file and the paths its <c>*.ptr</c> files track, in the
/// workspace and, for a wider scope, at git branches, tags or commits. Both garbage collections (of the cache and of a
/// remote) keep exactly this.
/// </summary>
/// <param name="workspace">The repository.</param>
/// <param name="git">Its git repository; read only when the scope asks for revisions.</param>
public sealed class ReferenceFinder(PipelineWorkspace workspace, GitRepository git)
{
    /// <summary>The outputs and tracked paths recorded in the workspace, each with its content hash.</summary>
    /// <exception cref="PipelineException">The lock file or a pointer file cannot be read.</exception>
    public static async Task<IReadOnlyList<PathState>> WorkspacePathsAsync(PipelineWorkspace workspace, CancellationToken cancellationToken)
    {
        return [.. (await RecordedPath.ReadAllAsync(workspace, cancellationToken)).Select(p => p.State)];
    }

    /// <summary>Everything <paramref name="scope"/> refers to.</summary>
    /// <exception cref="PipelineException">A lock or pointer file cannot be read, or git fails.</exception>
    public async Task<References> FindAsync(ReferenceScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var commits = scope.ReadsGit ? await git.CommitsAsync(scope.AllBranches, scope.AllTags, scope.AllCommits, cancellationToken) : [];
        var roots = (await WorkspacePathsAsync(workspace, cancellationToken)).Select(p => p.Content.Hash).ToHashSet();
        roots.UnionWith(await ExperimentOutputsAsync(cancellationToken));
        foreach (var commit in commits)
        {
            roots.UnionWith(await ReferencesAtAsync(commit, cancellationToken));
        }

        return new References(roots, commits.Count);
    }

    // A recorded experiment's outputs stay until the experiment is removed: its record is how they are found again.
    private async Task<IEnumerable<ContentHash>> ExperimentOutputsAsync(CancellationToken cancellationToken)
    {
        var store = ExperimentStore.Of(workspace);
        return (await store.ListAsync(cancellationToken))
            .Where(r => r.LockFile is not null)
            .SelectMany(r => LockFileStore.Parse(r.LockFile!, $"the lock file of experiment {r.Name}").Stages.Values)
            .SelectMany(s => s.Outputs)
            .Select(o => o.Content.Hash);
    }

    private async Task<IEnumerable<ContentHash>> ReferencesAtAsync(string commit, CancellationToken cancellationToken)
    {
        var references = new List<ContentHash>();
        var lockPath = workspace.Settings.LockFile;
        if (await git.ShowAsync(commit, lockPath, cancellationToken) is { } lockText)
        {
            var lockFile = LockFileStore.Parse(lockText, $"{lockPath} at {commit[..12]}");
            references.AddRange(lockFile.Stages.Values.SelectMany(s => s.Outputs).Select(o => o.Content.Hash));
        }

        foreach (var pointerPath in (await git.ListFilesAsync(commit, cancellationToken)).Where(IsPointer))
        {
            var text = await git.ShowAsync(commit, pointerPath, cancellationToken) ?? "";
            references.Add(PointerFile.Parse($"{pointerPath} at {commit[..12]}", text).Tracked.Content.Hash);
        }

        return references;
    }

    private static bool IsPointer(string path) => path.EndsWith(PointerFile.Extension, StringComparison.Ordinal);
}
