using System.Collections.Immutable;
using Pipeline.Core;

namespace Pipeline.Remotes.Configuration;

/// <summary>The configured remotes of a repository and which one is used when <c>--remote</c> is not given.</summary>
/// <param name="Remotes">The remotes by name.</param>
/// <param name="Default">The default remote's name, if any.</param>
public sealed record RemoteConfig(ImmutableSortedDictionary<string, RemoteDefinition> Remotes, string? Default)
{
    /// <summary>No remotes at all.</summary>
    public static RemoteConfig Empty { get; } = new(ImmutableSortedDictionary.Create<string, RemoteDefinition>(StringComparer.Ordinal), null);

    /// <summary>The remote named <paramref name="name"/>, or the default one when <paramref name="name"/> is null.</summary>
    /// <exception cref="PipelineException">No such remote, or no name and no default.</exception>
    public RemoteDefinition Select(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            name = Default ?? throw new PipelineException(Remotes.IsEmpty
                ? $"no remote is configured; add one to {RemoteConfigFile.FileName} (remotes: NAME: url: s3://bucket/prefix, and default: NAME)"
                : $"--remote: no remote named and no default in {RemoteConfigFile.FileName}; pass --remote={string.Join(" or --remote=", Remotes.Keys)}");
        }

        return Remotes.TryGetValue(name, out var remote)
            ? remote
            : throw new PipelineException($"--remote: '{name}' is not a remote in {RemoteConfigFile.FileName}; configured: {Known()}");
    }

    private string Known() => Remotes.IsEmpty ? "none" : string.Join(", ", Remotes.Keys);
}
