using Pipeline.Core.LockFiles;
using Pipeline.Core.Workspace;

namespace Pipeline.Core.Tracking;

/// <summary>A path whose content the workspace records: a stage's output in the lock file, or tracked data in its pointer file.</summary>
/// <param name="State">The path and its recorded content.</param>
/// <param name="RecordedIn">The file that records it: the lock file or the pointer file.</param>
public sealed record RecordedPath(PathState State, string RecordedIn)
{
    /// <summary>Every output the lock file records and every path a pointer file tracks.</summary>
    /// <exception cref="PipelineException">The lock file or a pointer file cannot be read.</exception>
    public static async Task<IReadOnlyList<RecordedPath>> ReadAllAsync(PipelineWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var lockFile = await workspace.LockFiles.ReadAsync(cancellationToken);
        var pointers = await new TrackedData(workspace).FindAsync(cancellationToken);
        return
        [
            .. lockFile.Stages.Values.SelectMany(s => s.Outputs).Select(o => new RecordedPath(o, workspace.Settings.LockFile)),
            .. pointers.Select(p => new RecordedPath(p.Tracked, p.PointerPath)),
        ];
    }
}
