using System.Collections.Immutable;
using Pipeline.Storage.Cache;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.Workspace;

/// <summary>How a repository's pipeline behaves; every setting has a default that suits a laptop and CI alike.</summary>
public sealed record PipelineSettings
{
    /// <summary>How outputs are placed from the cache, in order of preference.</summary>
    public ImmutableArray<LinkType> LinkTypes { get; init; } = [LinkType.Reflink, LinkType.Hardlink, LinkType.Copy];

    /// <summary>How long a run waits for another run's repository lock; zero fails at once.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The algorithm new hashes are recorded with: md5 (the default, DVC's layout), blake3 or xxh128. Hashes recorded
    /// with another stay valid and are compared by the algorithm that made them.
    /// </summary>
    public ContentHashAlgorithm HashAlgorithm { get; init; } = ContentHashAlgorithm.Md5;

    /// <summary>How many files are hashed at once; zero means one per core.</summary>
    public int HashingParallelism { get; init; }

    /// <summary>The parameters file, relative to the repository root.</summary>
    public string ParametersFile { get; init; } = "params.yaml";

    /// <summary>The lock file, relative to the repository root.</summary>
    public string LockFile { get; init; } = "pipeline.lock";

    /// <summary>The pipeline's private folder (cache, state database, repository lock), relative to the root.</summary>
    public string DataFolder { get; init; } = ".pipeline";
}
