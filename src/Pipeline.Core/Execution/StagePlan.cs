using Pipeline.Core.LockFiles;
using Pipeline.Core.Status;

namespace Pipeline.Core.Execution;

/// <summary>What reproducing a stage would do now, and why.</summary>
/// <param name="Status">The stage's status.</param>
/// <param name="Outcome">What would happen.</param>
/// <param name="Reason">Why, in the user's words.</param>
public sealed record StagePlan(StageStatus Status, StageOutcome Outcome, string Reason)
{
    /// <summary>The run whose outputs a restore would place: the lock entry or a run-cache entry.</summary>
    public StageLock? Source { get; init; }

    /// <summary>Outputs of an up-to-date stage that the cache lacks: skipping stores them from the workspace.</summary>
    public IReadOnlyList<string> Uncached { get; init; } = [];

    /// <summary>Why the stage's program would be built before it runs; null when it runs none or its build is current.</summary>
    public string? ProgramBuild { get; init; }

    /// <summary>Stages upstream that would change their outputs first, which may make this one run too.</summary>
    public IReadOnlyList<string> ChangingUpstream { get; init; } = [];

    /// <summary>The stage's name.</summary>
    public string StageName => Status.Stage.Name;

    /// <summary>Whether carrying out the plan may give the stage different outputs, so stages downstream may change too.</summary>
    public bool MayChangeOutputs => Outcome is StageOutcome.Ran or StageOutcome.RestoredFromRunCache || ChangingUpstream.Count > 0;

    /// <summary>This plan, given the upstream stages that would change their outputs before this stage is looked at.</summary>
    public StagePlan After(IEnumerable<string> changingUpstream) => this with { ChangingUpstream = [.. changingUpstream] };

    /// <summary>One line for a dry run, such as <c>train: would run (parameter train.epochs changed: 5 -> 6)</c>.</summary>
    public string Describe() => Outcome switch
    {
        StageOutcome.Skipped when ChangingUpstream.Count > 0 =>
            $"{StageName}: up to date now; would run if running {Names(ChangingUpstream)} first changes its dependencies",
        StageOutcome.Skipped when Uncached.Count > 0 =>
            $"{StageName}: up to date, would skip and store {string.Join(", ", Uncached)} in the cache from the workspace (the cache lacks {(Uncached.Count == 1 ? "it" : "them")})",
        StageOutcome.Skipped => $"{StageName}: up to date, would skip",
        StageOutcome.Restored => $"{StageName}: would restore its outputs from the cache ({Reason})",
        StageOutcome.RestoredFromRunCache => $"{StageName}: would restore from the run-cache: an earlier run had the same inputs ({Reason})",
        _ when ProgramBuild is not null => $"{StageName}: would run ({Reason}), after building its program '{Status.Stage.Program!.Name}' ({ProgramBuild})",
        _ => $"{StageName}: would run ({Reason})",
    };

    private static string Names(IReadOnlyList<string> stages) =>
        stages.Count == 1 ? $"'{stages[0]}'" : string.Join(", ", stages.SkipLast(1).Select(s => $"'{s}'")) + $" and '{stages[^1]}'";
}
