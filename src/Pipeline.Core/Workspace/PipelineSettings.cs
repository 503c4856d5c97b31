using System.Collections.Immutable;
using Pipeline.Storage.Cache;

namespace Pipeline.Core.Workspace;

/// <summary>How a repository's pipeline behaves; every setting has a default that suits a laptop and CI alike.</summary>
public sealed record PipelineSettings
{
    /// <summary>How outputs are placed from the cache, in order of preference.</summary>
    public ImmutableArray<LinkType> LinkTypes { get; init; } = [LinkType.Reflink, LinkType.Hardlink, LinkType.Copy];

    /// <summary>How long a run waits for another run's repository lock; zero fails at once.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>How many files are hashed at once; zero means one per core.</summary>
    public int HashingParallelism { get; init; }

    /// <summary>The parameters file, relative to the repository root.</summary>
    public string ParametersFile { get; init; } = "params.yaml";

    /// <summary>The lock file, relative to the repository root.</summary>
    public string LockFile { get; init; } = "pipeline.lock";

    /// <summary>The pipeline's private folder (cache, state database, repository lock), relative to the root.</summary>
    public string DataFolder { get; init; } = ".pipeline";
}
