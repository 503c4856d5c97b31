namespace Pipeline.Storage.Hashing;

/// <summary>The result of hashing a path: what the lock file records and, for a folder, its manifest.</summary>
/// <param name="Info">Hash, size and file count.</param>
/// <param name="Manifest">The folder's listing; <c>null</c> for a file.</param>
public sealed record HashedContent(ContentInfo Info, DirectoryManifest? Manifest);
