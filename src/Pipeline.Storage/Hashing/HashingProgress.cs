namespace Pipeline.Storage.Hashing;

/// <summary>How far the reading of a folder's new or changed files has got.</summary>
/// <param name="Folder">The folder being hashed.</param>
/// <param name="FilesRead">Files read so far.</param>
/// <param name="Files">Files in the folder, including those the state database already knew.</param>
/// <param name="BytesRead">Bytes read so far.</param>
public readonly record struct HashingProgress(string Folder, int FilesRead, int Files, long BytesRead);
