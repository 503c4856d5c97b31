using System.Globalization;
using Pipeline.Storage.Hashing;

namespace Pipeline.Storage.Objects;

/// <summary>
/// Where an object lives in every object database, relative to its root: <c>files/ALGORITHM/ab/cdef…</c>
/// (<c>files/md5/…</c> as DVC writes it). The local cache, a folder remote and an S3 prefix share it, so a remote folder
/// is itself a valid cache and objects move without renaming. A shard is the <c>ALGORITHM/ab</c> part: what a
/// database lists at once when it is not asked for everything.
/// </summary>
public static class ObjectLayout
{
    /// <summary>The folder every object lives under, one folder per algorithm below it.</summary>
    public const string ObjectsFolder = "files";

    /// <summary>The number of shards of each algorithm: one per two-hex-digit folder.</summary>
    public const int ShardsPerAlgorithm = 256;

    /// <summary>The key of <paramref name="hash"/>, relative to the database's root, with <c>/</c>.</summary>
    public static string KeyOf(ContentHash hash) => $"{ObjectsFolder}/{ShardOf(hash)}/{hash.Value[2..]}";

    /// <summary>The shard of <paramref name="hash"/>: its algorithm's folder and its two-hex-digit folder.</summary>
    public static string ShardOf(ContentHash hash) => $"{hash.Algorithm.Name}/{hash.Value[..2]}";

    /// <summary>The shards of <paramref name="algorithm"/>.</summary>
    public static IEnumerable<string> ShardsOf(ContentHashAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return Enumerable.Range(0, ShardsPerAlgorithm).Select(i => $"{algorithm.Name}/{i.ToString("x2", CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// The hash an <c>ALGORITHM/ab/cdef…</c> triple names, or null for anything else (such as a temporary file, whose
    /// name starts with a dot, or a folder of an algorithm this version does not know).
    /// </summary>
    public static ContentHash? TryParse(string algorithmFolder, string prefixFolder, string fileName)
    {
        if (prefixFolder.Length != 2 || fileName.StartsWith('.'))
        {
            return null;
        }

        try
        {
            return new ContentHash(prefixFolder + fileName, ContentHashAlgorithm.FromName(algorithmFolder));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The hash named by a key ending in <c>…/ALGORITHM/ab/cdef…</c>, or null when it names no object.</summary>
    public static ContentHash? TryParseKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        return parts.Length >= 3 ? TryParse(parts[^3], parts[^2], parts[^1]) : null;
    }
}
