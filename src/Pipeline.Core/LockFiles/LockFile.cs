using System.Collections.Immutable;
using Pipeline.Core.Parameters;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.LockFiles;

/// <summary>A dependency or output as it was when its stage last ran.</summary>
/// <param name="Path">Repository-relative path with <c>/</c>.</param>
/// <param name="Content">Hash, size and file count.</param>
public sealed record PathState(string Path, ContentInfo Content);

/// <summary>What one stage's last successful run recorded.</summary>
/// <param name="Command">The command line, as <see cref="Stages.CommandLine.ToString"/> gives it.</param>
/// <param name="Dependencies">Each dependency, sorted by path.</param>
/// <param name="Parameters">The parameter values read, sorted by key.</param>
/// <param name="Outputs">Each output, sorted by path.</param>
public sealed record StageLock(
    string Command,
    ImmutableArray<PathState> Dependencies,
    ImmutableSortedDictionary<string, ParameterValue> Parameters,
    ImmutableArray<PathState> Outputs);

/// <summary>The lock file (<c>pipeline.lock</c>): what ran, stage by stage, in a stable order.</summary>
/// <param name="Stages">Each stage's last run, by name.</param>
public sealed record LockFile(ImmutableSortedDictionary<string, StageLock> Stages)
{
    /// <summary>A lock file recording nothing.</summary>
    public static LockFile Empty { get; } = new(ImmutableSortedDictionary.Create<string, StageLock>(StringComparer.Ordinal));

    /// <summary>This lock file with <paramref name="stage"/>'s entry replaced.</summary>
    public LockFile With(string stage, StageLock entry) => new(Stages.SetItem(stage, entry));

    /// <summary>The entry of <paramref name="stage"/>, if it ever ran.</summary>
    public StageLock? Find(string stage) => Stages.GetValueOrDefault(stage);
}
