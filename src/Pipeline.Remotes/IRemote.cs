using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Hashing;

namespace Pipeline.Remotes;

/// <summary>
/// Storage that holds cache objects under the cache's own content-addressed layout (<c>files/md5/ab/cdef…</c>).
/// Implementations report failures as <see cref="RemoteException"/>, marking those worth retrying as transient.
/// </summary>
public interface IRemote : IDisposable
{
    /// <summary>The remote's configuration, for messages.</summary>
    RemoteDefinition Definition { get; }

    /// <summary>The objects stored whose hash starts with <paramref name="hashPrefix"/> (two hex digits), or all when null.</summary>
    Task<IReadOnlyCollection<ContentHash>> ListAsync(string? hashPrefix, CancellationToken cancellationToken);

    /// <summary>Whether the object for <paramref name="hash"/> is stored.</summary>
    Task<bool> ExistsAsync(ContentHash hash, CancellationToken cancellationToken);

    /// <summary>Stores the file at <paramref name="sourcePath"/> as the object for <paramref name="hash"/>, so that
    /// readers see the whole object or none of it.</summary>
    Task UploadAsync(ContentHash hash, string sourcePath, CancellationToken cancellationToken);

    /// <summary>Hands the object's bytes to <paramref name="receive"/>.</summary>
    /// <returns>False when the remote does not hold the object.</returns>
    Task<bool> DownloadAsync(ContentHash hash, Func<Stream, Task> receive, CancellationToken cancellationToken);

    /// <summary>Removes the objects; absent ones are ignored.</summary>
    Task DeleteAsync(IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken);
}
