using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes;

/// <summary>
/// A kind of remote, opened by the scheme of its URL (<c>s3://</c>, a folder path, …). The composition root registers
/// the kinds it supports in <see cref="RemoteKinds"/>; the engine knows none of them but folders.
/// </summary>
public interface IRemoteKind
{
    /// <summary>The URL schemes it opens, such as <c>s3</c>; <c>file</c> stands for a folder path.</summary>
    IReadOnlyCollection<string> Schemes { get; }

    /// <summary>What a URL of this kind looks like, for messages: <c>s3://bucket/prefix</c>.</summary>
    string UrlForm { get; }

    /// <summary>The settings a remote of this kind takes besides <c>url</c> and <c>jobs</c>.</summary>
    IReadOnlyCollection<string> Settings { get; }

    /// <summary>Those of <see cref="Settings"/> that are secrets: only <c>.pipeline/config.local</c> may hold them.</summary>
    IReadOnlyCollection<string> SecretSettings { get; }

    /// <summary>Checks <paramref name="remote"/>'s URL and settings.</summary>
    /// <exception cref="Core.PipelineException">One line naming the file and the field, and what was expected.</exception>
    void Validate(RemoteDefinition remote);

    /// <summary>Opens the remote as an object database (no request is made until the first call).</summary>
    /// <param name="remote">The remote, validated.</param>
    /// <param name="repositoryRoot">The repository root, which relative paths are taken from.</param>
    IObjectDatabase Open(RemoteDefinition remote, string repositoryRoot);
}
