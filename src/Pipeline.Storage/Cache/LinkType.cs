namespace Pipeline.Storage.Cache;

/// <summary>How a cached object is placed in the workspace.</summary>
public enum LinkType
{
    /// <summary>A copy-on-write clone: instant, no extra space, and the workspace file may be edited.</summary>
    Reflink,

    /// <summary>A second name for the cached file: instant and no extra space, but read-only like the cache.</summary>
    Hardlink,

    /// <summary>A plain copy: works everywhere, costs time and space.</summary>
    Copy,
}
