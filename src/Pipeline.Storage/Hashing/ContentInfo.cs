namespace Pipeline.Storage.Hashing;

/// <summary>What the lock file and pointer files record of a file or folder.</summary>
/// <param name="Hash">The content hash.</param>
/// <param name="Size">Bytes in all, for a folder the sum over its files.</param>
/// <param name="FileCount">How many files a folder holds; <c>null</c> for a file.</param>
public sealed record ContentInfo(ContentHash Hash, long Size, int? FileCount);
