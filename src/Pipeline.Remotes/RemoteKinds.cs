using Pipeline.Core;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes;

/// <summary>
/// The kinds of remote a repository's pipeline can open, by URL scheme: folders always, and whatever the composition
/// root adds (S3 in this repository; a new kind needs nothing of the engine).
/// </summary>
public sealed class RemoteKinds
{
    private readonly List<IRemoteKind> kinds = [new FolderRemoteKind()];

    /// <summary>Adds a kind; a later kind wins a scheme that an earlier one opens too.</summary>
    public RemoteKinds Add(IRemoteKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        kinds.Insert(0, kind);
        return this;
    }

    /// <summary>What the URLs of the registered kinds look like, for messages: <c>s3://bucket/prefix or a folder path</c>.</summary>
    public string UrlForms => string.Join(" or ", kinds.Select(k => k.UrlForm));

    /// <summary>The kind that opens <paramref name="remote"/>'s URL; <paramref name="fileName"/> is where the URL was read, for the message.</summary>
    /// <exception cref="PipelineException">No kind opens it.</exception>
    public IRemoteKind KindOf(RemoteDefinition remote, string fileName)
    {
        ArgumentNullException.ThrowIfNull(remote);
        return kinds.FirstOrDefault(k => k.Schemes.Contains(remote.Scheme, StringComparer.Ordinal))
            ?? throw new PipelineException(
                $"{fileName}: remotes.{remote.Name}.url: '{remote.Url}' is not supported; expected {UrlForms}");
    }

    /// <summary>Opens <paramref name="remote"/> as an object database.</summary>
    /// <exception cref="PipelineException">No kind opens its URL.</exception>
    public IObjectDatabase Open(RemoteDefinition remote, string repositoryRoot) =>
        KindOf(remote, RemoteConfigFile.FileName).Open(remote, repositoryRoot);
}
