using System.Collections.Immutable;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Pipeline.Storage.Hashing;

/// <summary>
/// An algorithm content hashes are computed with. A repository picks one for what it records from now on; hashes
/// recorded with another stay valid, because every hash says which algorithm made it and objects of each algorithm
/// live in a folder of their own (<c>files/md5/…</c>, <c>files/blake3/…</c>).
/// </summary>
public sealed class ContentHashAlgorithm
{
    private readonly Func<IContentDigest> create;

    private ContentHashAlgorithm(string name, int digestBytes, Func<IContentDigest> create)
    {
        Name = name;
        DigestBytes = digestBytes;
        this.create = create;
    }

    /// <summary>MD5, the default: the layout and folder manifests DVC writes, and what an S3 ETag can vouch for.</summary>
    public static ContentHashAlgorithm Md5 { get; } = new("md5", 16, () => new IncrementalDigest(HashAlgorithmName.MD5));

    /// <summary>BLAKE3 (256 bits): cryptographic like MD5 was meant to be, and several times faster per core.</summary>
    public static ContentHashAlgorithm Blake3 { get; } = new("blake3", 32, () => new Blake3Digest());

    /// <summary>
    /// XXH3's 128-bit variant: the fastest, but not cryptographic, so content can be forged to collide; for
    /// repositories whose data and remotes only trusted people write.
    /// </summary>
    public static ContentHashAlgorithm Xxh128 { get; } = new("xxh128", 16, () => new NonCryptographicDigest(new XxHash128()));

    /// <summary>Every algorithm, the default first.</summary>
    public static ImmutableArray<ContentHashAlgorithm> All { get; } = [Md5, Blake3, Xxh128];

    /// <summary>The name written to lock files, folder manifests and the object layout.</summary>
    public string Name { get; }

    /// <summary>The length of a digest in bytes (twice that in hex digits).</summary>
    public int DigestBytes { get; }

    /// <summary>The algorithm called <paramref name="name"/>.</summary>
    /// <exception cref="FormatException">No algorithm has that name; the message lists the ones there are.</exception>
    public static ContentHashAlgorithm FromName(string? name) =>
        All.FirstOrDefault(a => a.Name == name)
        ?? throw new FormatException($"'{name}' is not a hash algorithm (expected one of {string.Join(", ", All.Select(a => a.Name))})");

    /// <summary>Starts a digest to feed bytes to.</summary>
    public IContentDigest CreateDigest() => create();

    /// <summary>The digest of <paramref name="bytes"/>.</summary>
    public byte[] HashData(ReadOnlySpan<byte> bytes)
    {
        using var digest = CreateDigest();
        digest.Append(bytes);
        return digest.Finish();
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class IncrementalDigest(HashAlgorithmName algorithm) : IContentDigest
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(algorithm);

        public void Append(ReadOnlySpan<byte> bytes) => hash.AppendData(bytes);

        public byte[] Finish() => hash.GetHashAndReset();

        public void Dispose() => hash.Dispose();
    }

    private sealed class NonCryptographicDigest(NonCryptographicHashAlgorithm hash) : IContentDigest
    {
        public void Append(ReadOnlySpan<byte> bytes) => hash.Append(bytes);

        public byte[] Finish() => hash.GetHashAndReset();

        public void Dispose()
        {
        }
    }

    private sealed class Blake3Digest : IContentDigest
    {
        private readonly global::Blake3.Hasher hasher = global::Blake3.Hasher.New();

        public void Append(ReadOnlySpan<byte> bytes) => hasher.Update(bytes);

        public byte[] Finish() => hasher.Finalize().AsSpan().ToArray();

        public void Dispose() => hasher.Dispose();
    }
}

/// <summary>A digest being computed: bytes are appended, then it is finished once.</summary>
public interface IContentDigest : IDisposable
{
    /// <summary>Feeds <paramref name="bytes"/> to the digest.</summary>
    void Append(ReadOnlySpan<byte> bytes);

    /// <summary>The digest of everything appended.</summary>
    byte[] Finish();
}
