namespace Pipeline.Testing;

/// <summary>What a test does to a cache object by hand.</summary>
public static class CacheFiles
{
    /// <summary>Appends bytes to a (read-only) object, as a disk error or a careless edit would.</summary>
    public static void Corrupt(string objectPath)
    {
        File.SetUnixFileMode(objectPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.AppendAllText(objectPath, "tampered");
    }
}
