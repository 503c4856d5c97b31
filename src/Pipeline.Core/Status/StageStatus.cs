using System.Collections.Immutable;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Status;

/// <summary>Whether a stage is up to date and, if not, every reason why.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Changes">The reasons; empty when it is up to date.</param>
/// <param name="Current">What a run now would record for its inputs (outputs as recorded).</param>
public sealed record StageStatus(StageDefinition Stage, ImmutableArray<StageChange> Changes, StageLock Current)
{
    /// <summary>Nothing changed.</summary>
    public bool IsUpToDate => Changes.IsEmpty;

    /// <summary>Only outputs differ: restoring them from the cache brings the stage up to date.</summary>
    public bool IsRestorable => !IsUpToDate && Changes.All(c => c.IsOutputOnly);

    /// <summary>The reasons as one line.</summary>
    public string Describe() => string.Join("; ", Changes.Select(c => c.Describe()));
}
