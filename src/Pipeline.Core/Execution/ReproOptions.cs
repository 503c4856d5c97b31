namespace Pipeline.Core.Execution;

/// <summary>How a stage is reproduced.</summary>
/// <param name="Force">Run it even when nothing changed, without restoring from the cache or the run-cache.</param>
public sealed record ReproOptions(bool Force = false);
