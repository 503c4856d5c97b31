using Pipeline.Storage.Hashing;

namespace Pipeline.Storage.Cache;

/// <summary>A cache object is needed but not stored.</summary>
public sealed class MissingObjectException(ContentHash hash)
    : Exception($"cache object {hash} is missing")
{
    /// <summary>The hash of the missing object.</summary>
    public ContentHash Hash { get; } = hash;
}

/// <summary>A cache object's bytes do not hash to its name; it is never checked out.</summary>
public sealed class CorruptObjectException(ContentHash hash, string reason)
    : Exception($"cache object {hash} is corrupt: {reason}")
{
    /// <summary>The hash the object is stored under.</summary>
    public ContentHash Hash { get; } = hash;
}
