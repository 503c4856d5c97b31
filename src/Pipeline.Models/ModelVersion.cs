using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Models;

/// <summary>
/// Derives a model's version from its content, so training the same data with the same parameters gives the same
/// version (and the pipeline stays reproducible), while any change to weights or metadata gives a new one.
/// </summary>
public static class ModelVersion
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Characters of a version: 16 base-32 characters carry 80 bits of the SHA-256.</summary>
    public const int Length = 16;

    /// <summary>
    /// The version of <paramref name="manifest"/>: a hash of everything but the version itself, the creation time
    /// and the git revision (retraining the same model at a later commit is still the same model).
    /// </summary>
    public static string Of(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var content = manifest with { Version = string.Empty, CreatedAt = DateTimeOffset.UnixEpoch, GitRevision = null };
        var hash = SHA256.HashData(StoreJson.Serialize(content));
        return Base32(hash.AsSpan(0, Length * 5 / 8));
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 8 / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        return text.ToString();
    }
}
