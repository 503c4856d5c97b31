using Pipeline.Core.Maintenance;
using Pipeline.Core.Tracking;
using Pipeline.Remotes;
using Pipeline.Storage.Objects;

namespace Pipeline.Cake;

/// <summary>Which data remote an alias such as <see cref="DataRemoteAliases.PushData(global::Cake.Core.ICakeContext, DataRemoteSettings)"/> works with, and how.</summary>
public record DataRemoteSettings
{
    /// <summary>The remote's name in <c>pipeline.remotes.yaml</c>; the configured default when null.</summary>
    public string? Remote { get; init; }

    /// <summary>Objects moved at once; the remote's <c>jobs:</c>, else 4 per core, when null.</summary>
    public int? Jobs { get; init; }

    /// <summary>
    /// The kinds of remote the configuration may name; when null, those the run's composition root registered
    /// (<see cref="PipelineAdapters.RemoteKinds"/>), or folders only in a script that registered none.
    /// </summary>
    public RemoteKinds? Kinds { get; init; }
}

/// <summary>What <see cref="DataRemoteAliases.DataRemoteGc(global::Cake.Core.ICakeContext, DataRemoteGcSettings)"/> removes.</summary>
public sealed record DataRemoteGcSettings : DataRemoteSettings
{
    /// <summary>Only say what would be removed.</summary>
    public bool DryRun { get; init; }

    /// <summary>Which git revisions' references are kept besides the workspace's.</summary>
    public ReferenceScope Scope { get; init; } = new();
}

/// <summary>What a pull did: the objects fetched, then the paths checked out.</summary>
/// <param name="Fetched">The transfer from the remote.</param>
/// <param name="Checkout">The workspace paths restored from the cache.</param>
public sealed record PullResult(TransferSummary Fetched, CheckoutResult Checkout);
