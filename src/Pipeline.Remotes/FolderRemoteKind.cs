using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;
using Pipeline.Storage.State;

namespace Pipeline.Remotes;

/// <summary>
/// A remote in a local or network folder (<c>/mnt/nas/cache</c>, <c>../shared-cache</c>, <c>file:///srv/cache</c>):
/// the same object database as the local cache, on another root, so that such a remote is itself a valid cache.
/// </summary>
public sealed class FolderRemoteKind : IRemoteKind
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Schemes { get; } = ["file"];

    /// <inheritdoc />
    public string UrlForm => "a folder path";

    /// <inheritdoc />
    public IReadOnlyCollection<string> Settings { get; } = [];

    /// <inheritdoc />
    public IReadOnlyCollection<string> SecretSettings { get; } = [];

    /// <inheritdoc />
    public void Validate(RemoteDefinition remote)
    {
    }

    /// <inheritdoc />
    /// <remarks>
    /// What it reads goes into a cache that verifies as it writes, so it reads without checking first; what it
    /// writes it verifies. Its hashes are learnt afresh by each run: a remote's objects are read once per transfer.
    /// </remarks>
    public IObjectDatabase Open(RemoteDefinition remote, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(remote);
        return new FolderObjectDatabase(FolderPath(remote, repositoryRoot), remote.ToString(), new ContentHasher(StateDatabase.InMemory()), verifyOnRead: false);
    }

    /// <summary>The folder of <paramref name="remote"/>, absolute, with a relative path taken from <paramref name="repositoryRoot"/>.</summary>
    public static string FolderPath(RemoteDefinition remote, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var path = remote.Url.StartsWith("file://", StringComparison.Ordinal) ? new Uri(remote.Url).LocalPath : remote.Url;
        return Path.GetFullPath(Path.Combine(repositoryRoot, path));
    }
}
