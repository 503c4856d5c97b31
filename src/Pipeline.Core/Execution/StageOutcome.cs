namespace Pipeline.Core.Execution;

/// <summary>What happened to a stage in a run.</summary>
public enum StageOutcome
{
    /// <summary>Nothing had changed; the stage did not run.</summary>
    Skipped,

    /// <summary>Only outputs differed; they were restored from the cache without running the stage.</summary>
    Restored,

    /// <summary>The stage's command ran and its outputs were cached and recorded.</summary>
    Ran,

    /// <summary>An earlier run had the same command, dependencies and parameters; its outputs were restored and recorded.</summary>
    RestoredFromRunCache,
}
