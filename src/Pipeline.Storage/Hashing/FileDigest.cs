using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Pipeline.Storage.Hashing;

/// <summary>Computes the digests of files and streams with one pooled buffer per call.</summary>
public static class FileDigest
{
    private const int BufferSize = 1 << 20;

    /// <summary>The hash of the file at <paramref name="path"/>.</summary>
    public static ContentHash Of(string path, ContentHashAlgorithm algorithm, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        using var digest = algorithm.CreateDigest();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                digest.Append(buffer.AsSpan(0, read));
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ContentHash.OfFile(digest.Finish(), algorithm);
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the file open as <paramref name="destination"/> and returns the hash of what
    /// was copied, computed with <paramref name="algorithm"/>. The file is written synchronously: cache objects are mostly small, and a write to the page cache
    /// costs less than the thread-pool round trip of an asynchronous one.
    /// </summary>
    public static async Task<ContentHash> CopyToFileAsync(
        Stream source, SafeFileHandle destination, ContentHashAlgorithm algorithm, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(algorithm);
        using var digest = algorithm.CreateDigest();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                digest.Append(buffer.AsSpan(0, read));
                RandomAccess.Write(destination, buffer.AsSpan(0, read), offset);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ContentHash.OfFile(digest.Finish(), algorithm);
    }
}
