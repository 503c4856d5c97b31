using Pipeline.Storage.Hashing;

namespace Pipeline.Storage.Objects;

/// <summary>
/// Content-addressed storage of objects under the one <see cref="ObjectLayout"/>: the local cache, a folder remote,
/// an S3 bucket. Transfers, status and garbage collection are written once over any two of them
/// (<see cref="ObjectTransfer"/>). Failures of the storage itself are <see cref="ObjectDatabaseException"/>s, marked
/// transient where a retry may help.
/// </summary>
public interface IObjectDatabase : IDisposable
{
    /// <summary>The database in messages, such as <c>the local cache</c> or <c>remote 'storage' (s3://bucket/cache)</c>.</summary>
    string Name { get; }

    /// <summary>Whether it answers from this machine's file system, so that asking for each object costs no round trip.</summary>
    bool IsLocal { get; }

    /// <summary>
    /// The objects stored in <paramref name="shard"/> (<c>ALGORITHM/ab</c>, see <see cref="ObjectLayout.ShardOf"/>), or
    /// all of every algorithm when null.
    /// </summary>
    Task<IReadOnlyCollection<StoredObject>> ListAsync(string? shard, CancellationToken cancellationToken);

    /// <summary>The object for <paramref name="hash"/> as the database describes it, or null when it does not hold it.</summary>
    Task<StoredObject?> StatAsync(ContentHash hash, CancellationToken cancellationToken);

    /// <summary>Hands the object's bytes to <paramref name="receive"/>.</summary>
    /// <returns>False when the database does not hold the object.</returns>
    /// <exception cref="CorruptObjectException">The database knows its copy to be corrupt (the cache checks before it reads).</exception>
    Task<bool> ReadAsync(ContentHash hash, Func<ObjectContent, Task> receive, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="content"/> as the object for <paramref name="hash"/>, so that readers see the whole
    /// object or none of it.
    /// </summary>
    /// <returns>
    /// Once the bytes are taken: the commit, which completes when they are durable. A database that commits several
    /// objects with one flush (the local cache) lets the caller go on to the next object meanwhile.
    /// </returns>
    /// <exception cref="CorruptObjectException">The bytes do not hash to <paramref name="hash"/> (databases that check as they write).</exception>
    Task<Task> WriteAsync(ContentHash hash, ObjectContent content, CancellationToken cancellationToken);

    /// <summary>Removes the objects; absent ones are ignored.</summary>
    Task DeleteAsync(IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken);
}

/// <summary>
/// One object as a database describes it without reading it: a listing, or a stat. What it tells is enough to find a
/// copy whose content no longer matches its name, without a download.
/// </summary>
/// <param name="Hash">Its name.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Digest">
/// What its content hashes to where the database knows it without reading it (an S3 ETag of an object stored in one
/// part is its MD5; the local cache's state database holds the object's own algorithm's); null otherwise.
/// </param>
public readonly record struct StoredObject(ContentHash Hash, long Size, ContentHash? Digest = null)
{
    /// <summary>
    /// Whether what the database says contradicts the object's name: a size other than <paramref name="expectedSize"/>
    /// (when known), or a digest by the name's algorithm other than the name's.
    /// </summary>
    public bool IsCorrupt(long? expectedSize) =>
        (expectedSize is { } size && Size != size) || (Digest is { } digest && digest.Algorithm == Hash.Algorithm && digest != Hash.ObjectDigest);
}

/// <summary>
/// The bytes of one object as a database hands them out: a stream, or a file on this machine that is opened only when
/// the stream is asked for (an upload that reads the file itself, in parts, never opens it twice).
/// </summary>
public sealed class ObjectContent : IAsyncDisposable
{
    private Stream? stream;

    /// <summary>Bytes from <paramref name="stream"/>, read once from the start.</summary>
    public ObjectContent(Stream stream, long length)
    {
        this.stream = stream;
        Length = length;
    }

    private ObjectContent(string localPath, long length)
    {
        LocalPath = localPath;
        Length = length;
    }

    /// <summary>How many bytes.</summary>
    public long Length { get; }

    /// <summary>The file holding them, when they are a file on this machine.</summary>
    public string? LocalPath { get; }

    /// <summary>The bytes, read once from the start.</summary>
    public Stream Stream => stream ??= new FileStream(LocalPath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

    /// <summary>The bytes of the file at <paramref name="localPath"/>.</summary>
    public static ObjectContent OfFile(string localPath, long length) => new(localPath, length);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (stream is not null && LocalPath is not null)
        {
            await stream.DisposeAsync();
        }
    }
}
