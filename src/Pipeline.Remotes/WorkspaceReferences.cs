using Pipeline.Core.LockFiles;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Workspace;

namespace Pipeline.Remotes;

/// <summary>What the workspace refers to, and so what push, pull and remote gc move or keep: every output recorded in
/// the lock file and every path a <c>*.ptr</c> pointer file tracks.</summary>
public static class WorkspaceReferences
{
    /// <summary>The recorded paths, each with its content hash; a folder's hash names its manifest.</summary>
    /// <exception cref="Core.PipelineException">The lock file or a pointer file cannot be read.</exception>
    public static Task<IReadOnlyList<PathState>> ReadAsync(PipelineWorkspace workspace, CancellationToken cancellationToken)
        => ReferenceFinder.WorkspacePathsAsync(workspace, cancellationToken);
}
