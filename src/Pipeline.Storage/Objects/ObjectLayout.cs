using Pipeline.Storage.Hashing;

namespace Pipeline.Storage.Objects;

/// <summary>
/// Where an object lives in every object database, relative to its root: <c>files/md5/ab/cdef…</c>. The local cache,
/// a folder remote and an S3 prefix share it, so a remote folder is itself a valid cache and objects move without
/// renaming.
/// </summary>
public static class ObjectLayout
{
    /// <summary>The folder every object lives under.</summary>
    public const string ObjectsFolder = "files/" + ContentHash.Algorithm;

    /// <summary>The key of <paramref name="hash"/>, relative to the database's root, with <c>/</c>.</summary>
    public static string KeyOf(ContentHash hash) => $"{ObjectsFolder}/{hash.Value[..2]}/{hash.Value[2..]}";

    /// <summary>The two-hex-digit folder of <paramref name="hash"/>.</summary>
    public static string PrefixOf(ContentHash hash) => hash.Value[..2];

    /// <summary>The hash a <c>ab/cdef…</c> pair names, or null for anything else (such as a temporary file, whose name starts with a dot).</summary>
    public static ContentHash? TryParse(string prefixFolder, string fileName)
    {
        if (prefixFolder.Length != 2 || fileName.StartsWith('.'))
        {
            return null;
        }

        try
        {
            return new ContentHash(prefixFolder + fileName);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The hash named by a key ending in <c>…/ab/cdef…</c>, or null when it names no object.</summary>
    public static ContentHash? TryParseKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        return parts.Length >= 2 ? TryParse(parts[^2], parts[^1]) : null;
    }
}
