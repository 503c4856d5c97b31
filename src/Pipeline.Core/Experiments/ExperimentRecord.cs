using System.Collections.Immutable;

namespace Pipeline.Core.Experiments;

/// <summary>How an experiment's run ended.</summary>
public enum ExperimentStatus
{
    /// <summary>Every stage ran or was restored; its outputs are in the cache.</summary>
    Succeeded,

    /// <summary>A stage or the run failed; its log and workspace are kept.</summary>
    Failed,
}

/// <summary>One experiment as recorded: what it changed, on which commit, what it measured, and its lock file.</summary>
/// <param name="Name">Its name.</param>
/// <param name="BaseCommit">The commit its workspace was made from.</param>
/// <param name="CreatedAt">When it ran.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Overrides">The parameters it set, by dotted key.</param>
/// <param name="Parameters">All its parameters, flattened.</param>
/// <param name="Metrics">Its metrics, as <c>file:key</c>.</param>
/// <param name="LockFile">Its lock file's text (what ran, and where its outputs are in the cache), or null when it failed before writing one.</param>
/// <param name="Workspace">Where a failed experiment's workspace is kept; null once removed.</param>
public sealed record ExperimentRecord(
    string Name,
    string BaseCommit,
    DateTimeOffset CreatedAt,
    ExperimentStatus Status,
    ImmutableSortedDictionary<string, string> Overrides,
    ImmutableSortedDictionary<string, string> Parameters,
    ImmutableSortedDictionary<string, string> Metrics,
    string? LockFile,
    string? Workspace);
