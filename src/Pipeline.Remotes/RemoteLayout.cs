using Pipeline.Storage.Hashing;

namespace Pipeline.Remotes;

/// <summary>
/// The key of an object on a remote: the same layout as the local cache (<c>files/md5/ab/cdef…</c>), so that a remote
/// folder is itself a valid cache and objects move without renaming.
/// </summary>
public static class RemoteLayout
{
    /// <summary>The folder every object lives under.</summary>
    public const string ObjectsFolder = "files/" + ContentHash.Algorithm;

    /// <summary>The key of <paramref name="hash"/>, relative to the remote's root.</summary>
    public static string KeyOf(ContentHash hash) => $"{ObjectsFolder}/{hash.Value[..2]}/{hash.Value[2..]}";

    /// <summary>The hash a <c>ab/cdef…</c> pair names, or null for anything else (such as a temporary file).</summary>
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
        var parts = key.Split('/');
        return parts.Length >= 2 ? TryParse(parts[^2], parts[^1]) : null;
    }
}
