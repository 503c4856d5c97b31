using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes.S3;

/// <summary>Remotes in an S3 bucket (<c>s3://bucket/prefix</c>), on AWS or an S3-compatible server.</summary>
public sealed class S3RemoteKind : IRemoteKind
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Schemes { get; } = ["s3"];

    /// <inheritdoc />
    public string UrlForm => "s3://bucket/prefix";

    /// <inheritdoc />
    public IReadOnlyCollection<string> Settings => S3Settings.Names;

    /// <inheritdoc />
    public IReadOnlyCollection<string> SecretSettings => S3Settings.Secrets;

    /// <inheritdoc />
    public void Validate(RemoteDefinition remote) => S3Settings.From(remote);

    /// <inheritdoc />
    public IObjectDatabase Open(RemoteDefinition remote, string repositoryRoot) => new S3ObjectDatabase(remote);
}
