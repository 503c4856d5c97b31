namespace Pipeline.Storage.Hashing;

/// <summary>
/// The MD5 of a file's bytes, or for a folder the MD5 of its manifest followed by <c>.dir</c>,
/// the same naming DVC uses so a folder's object can be told from a file's by its name alone.
/// </summary>
public readonly record struct ContentHash
{
    /// <summary>The name of the only hash algorithm, as written to lock and pointer files.</summary>
    public const string Algorithm = "md5";

    private const string DirectorySuffix = ".dir";

    /// <summary>Creates a hash from its lower-case hex form, with <c>.dir</c> for a folder.</summary>
    /// <exception cref="FormatException">The value is not 32 lower-case hex digits with an optional <c>.dir</c>.</exception>
    public ContentHash(string value)
    {
        if (!IsWellFormed(value))
        {
            throw new FormatException($"'{value}' is not an md5 hash (32 lower-case hex digits, optionally followed by .dir)");
        }

        Value = value;
    }

    /// <summary>The hex digest, with <c>.dir</c> for a folder.</summary>
    public string Value { get; }

    /// <summary>Whether this is the hash of a folder manifest.</summary>
    public bool IsDirectory => Value.EndsWith(DirectorySuffix, StringComparison.Ordinal);

    /// <summary>The MD5 of the stored object's own bytes: the hash itself for a file, the manifest's for a folder.</summary>
    public ContentHash ObjectDigest => IsDirectory ? new ContentHash(Value[..^DirectorySuffix.Length]) : this;

    /// <summary>Makes the hash of a file from its raw digest.</summary>
    public static ContentHash OfFile(ReadOnlySpan<byte> digest) => new(Convert.ToHexStringLower(digest));

    /// <summary>Makes the hash of a folder from the raw digest of its manifest.</summary>
    public static ContentHash OfDirectory(ReadOnlySpan<byte> digest) =>
        new(Convert.ToHexStringLower(digest) + DirectorySuffix);

    /// <inheritdoc />
    public override string ToString() => Value;

    private static bool IsWellFormed(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var hex = value.EndsWith(DirectorySuffix, StringComparison.Ordinal) ? value[..^DirectorySuffix.Length] : value;
        return hex.Length == 32 && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
    }
}
