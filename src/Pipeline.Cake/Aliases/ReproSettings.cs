namespace Pipeline.Cake;

/// <summary>How <see cref="PipelineAliases.Repro(global::Cake.Core.ICakeContext, System.Collections.Generic.IEnumerable{Pipeline.Core.Stages.IStage}, ReproSettings)"/> brings stages up to date.</summary>
public sealed record ReproSettings
{
    /// <summary>Only this stage and the stages it depends on; every stage when null.</summary>
    public string? Stage { get; init; }

    /// <summary>Run the stages even when nothing changed.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Before deciding, fetch from this remote what each stage's lock entry records and the cache lacks, so the stage
    /// can be skipped or restored instead of run; no fetch when null.
    /// </summary>
    public DataRemoteSettings? PullFrom { get; init; }
}
