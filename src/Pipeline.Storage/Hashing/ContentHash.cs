namespace Pipeline.Storage.Hashing;

/// <summary>
/// The digest of a file's bytes, or for a folder the digest of its manifest followed by <c>.dir</c> (the naming DVC
/// uses, so a folder's object can be told from a file's by its name alone), and the algorithm that made it. Hashes of
/// two algorithms are never equal, even should their digits be.
/// </summary>
public readonly record struct ContentHash
{
    private const string DirectorySuffix = ".dir";
    private readonly ContentHashAlgorithm? algorithm;

    /// <summary>Creates a hash from its lower-case hex form, with <c>.dir</c> for a folder.</summary>
    /// <exception cref="FormatException">The value is not a digest of <paramref name="algorithm"/> in lower-case hex with an optional <c>.dir</c>.</exception>
    public ContentHash(string value, ContentHashAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        if (!IsWellFormed(value, algorithm))
        {
            throw new FormatException(
                $"'{value}' is not an {algorithm.Name} hash ({algorithm.DigestBytes * 2} lower-case hex digits, optionally followed by .dir)");
        }

        Value = value;
        this.algorithm = algorithm;
    }

    /// <summary>The hex digest, with <c>.dir</c> for a folder.</summary>
    public string Value { get; }

    /// <summary>The algorithm the digest was computed with.</summary>
    public ContentHashAlgorithm Algorithm => algorithm ?? ContentHashAlgorithm.Md5;

    /// <summary>Whether this is the hash of a folder manifest.</summary>
    public bool IsDirectory => Value.EndsWith(DirectorySuffix, StringComparison.Ordinal);

    /// <summary>The digest of the stored object's own bytes: the hash itself for a file, the manifest's for a folder.</summary>
    public ContentHash ObjectDigest => IsDirectory ? new ContentHash(Value[..^DirectorySuffix.Length], Algorithm) : this;

    /// <summary>Makes the hash of a file from its raw digest.</summary>
    public static ContentHash OfFile(ReadOnlySpan<byte> digest, ContentHashAlgorithm algorithm) =>
        new(Convert.ToHexStringLower(digest), algorithm);

    /// <summary>Makes the hash of a folder from the raw digest of its manifest.</summary>
    public static ContentHash OfDirectory(ReadOnlySpan<byte> digest, ContentHashAlgorithm algorithm) =>
        new(Convert.ToHexStringLower(digest) + DirectorySuffix, algorithm);

    /// <summary>Hashes <paramref name="bytes"/> as a file's content.</summary>
    public static ContentHash OfBytes(ReadOnlySpan<byte> bytes, ContentHashAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return OfFile(algorithm.HashData(bytes), algorithm);
    }

    /// <summary>The hex digest; the algorithm is said where the hash is written (a lock file's <c>hash:</c> field).</summary>
    public override string ToString() => Value;

    private static bool IsWellFormed(string? value, ContentHashAlgorithm algorithm)
    {
        if (value is null)
        {
            return false;
        }

        var hex = value.EndsWith(DirectorySuffix, StringComparison.Ordinal) ? value[..^DirectorySuffix.Length] : value;
        return hex.Length == algorithm.DigestBytes * 2 && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
    }
}
