using Pipeline.Core.LockFiles;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Objects;

namespace Pipeline.Core.Tracking;

/// <summary>What a checkout did to one path.</summary>
/// <param name="Path">The repository-relative path.</param>
/// <param name="Source">Where its expected content is recorded: <c>pipeline.lock</c> or the pointer file.</param>
/// <param name="FilesWritten">How many files were written (files removed from a folder are not counted).</param>
public sealed record CheckedOutPath(string Path, string Source, int FilesWritten);

/// <summary>A checkout's result: what changed, and what could not be restored because the cache lacks it.</summary>
/// <param name="Changed">The paths that were made to match.</param>
/// <param name="Unchanged">How many paths already matched and were not touched.</param>
/// <param name="Failed">Paths whose content is not in the cache (or is corrupt), with why.</param>
public sealed record CheckoutResult(IReadOnlyList<CheckedOutPath> Changed, int Unchanged, IReadOnlyList<(string Path, string Why)> Failed);

/// <summary>
/// Makes the workspace match the lock file's outputs and every pointer file, as after a <c>git checkout</c> of another
/// revision; paths that already match are left alone, and in a folder only the files that differ are written.
/// </summary>
/// <param name="workspace">The repository.</param>
public sealed class WorkspaceCheckout(PipelineWorkspace workspace)
{
    /// <summary>Restores every recorded output and tracked path that differs from what is recorded.</summary>
    /// <exception cref="PipelineException">The lock file or a pointer file cannot be read.</exception>
    public async Task<CheckoutResult> RunAsync(CancellationToken cancellationToken)
    {
        var changed = new List<CheckedOutPath>();
        var failed = new List<(string, string)>();
        var unchanged = 0;
        foreach (var (path, source) in await RecordedPath.ReadAllAsync(workspace, cancellationToken))
        {
            try
            {
                if (await MatchesAsync(path, cancellationToken))
                {
                    unchanged++;
                    continue;
                }

                var written = await workspace.Checkout.RestoreAsync(path.Content.Hash, workspace.Resolve(path.Path), cancellationToken);
                changed.Add(new CheckedOutPath(path.Path, source, written));
            }
            catch (Exception e) when (e is MissingObjectException or CorruptObjectException or InvalidDataException)
            {
                failed.Add((path.Path, e.Message));
            }
        }

        await workspace.SaveStateAsync(cancellationToken);
        return new CheckoutResult(changed, unchanged, failed);
    }

    private async Task<bool> MatchesAsync(PathState path, CancellationToken cancellationToken)
    {
        if (!workspace.WorkTree.Exists(path.Path))
        {
            return false;
        }

        var hashed = await workspace.Hasher.HashAsync(workspace.Resolve(path.Path), path.Content.Hash.Algorithm, cancellationToken);
        return hashed.Info.Hash == path.Content.Hash;
    }
}
