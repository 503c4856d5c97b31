using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Planets.Ml.Cli;

namespace Planets.Ml.Data;

/// <summary>
/// A prepared image set: N preprocessed images (channel-first float32 in [0, 1]) and their labels.
/// </summary>
/// <remarks>
/// File format (<c>train.bin</c>, <c>test.bin</c>), all integers little-endian:
/// <code>
/// offset  size        field
/// 0       8           magic "PLANETS1"
/// 8       4           int32 count N
/// 12      4           int32 channels C
/// 16      4           int32 height H
/// 20      4           int32 width W
/// 24      4           int32 class count K
/// 28      4*N*C*H*W   float32 pixels, image after image, each C x H x W row-major
/// ...     4*N         int32 labels in [0, K)
/// </code>
/// No timestamps or paths, so the same inputs give byte-identical files.
/// </remarks>
/// <param name="Channels">Channels per image.</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="ClassCount">Number of classes the labels index into.</param>
/// <param name="Pixels">All pixels, N x C x H x W.</param>
/// <param name="Labels">One label per image.</param>
internal sealed record PreparedSet(int Channels, int Height, int Width, int ClassCount, float[] Pixels, int[] Labels)
{
    private static readonly byte[] Magic = "PLANETS1"u8.ToArray();
    private const int HeaderSize = 28;

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>This set followed by <paramref name="images"/> (each one image's pixels) labelled <paramref name="labels"/>.</summary>
    public PreparedSet Append(float[][] images, int[] labels) =>
        this with { Pixels = [.. Pixels, .. images.SelectMany(i => i)], Labels = [.. Labels, .. labels] };

    /// <summary>Floats per image.</summary>
    public int ImageLength => Channels * Height * Width;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * ImageLength, ImageLength);

    /// <summary>Writes the set in the format above.</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        int[] fields = [Count, Channels, Height, Width, ClassCount];
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8 + (i * 4)), fields[i]);
        }

        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(ToLittleEndianBytes(Pixels), cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(ToLittleEndianBytes(Labels), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a set written by <see cref="WriteAsync"/>; any inconsistency is a user error naming the file.</summary>
    public static async Task<PreparedSet> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new UserErrorException($"{path}: file not found (run prepare first)");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new UserErrorException($"{path}: not a prepared image set (bad header)");
        }

        var f = Enumerable.Range(0, 5).Select(i => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8 + (i * 4)))).ToArray();
        var (count, channels, height, width, classes) = (f[0], f[1], f[2], f[3], f[4]);
        var pixelCount = (long)count * channels * height * width;
        if (f.Any(v => v < 0) || bytes.Length != HeaderSize + (4 * pixelCount) + (4L * count))
        {
            throw new UserErrorException($"{path}: truncated or inconsistent prepared image set");
        }

        var pixels = FromLittleEndianBytes<float>(bytes.AsSpan(HeaderSize, (int)(4 * pixelCount)));
        var labels = FromLittleEndianBytes<int>(bytes.AsSpan(HeaderSize + (int)(4 * pixelCount)));
        if (labels.Any(l => l < 0 || l >= classes))
        {
            throw new UserErrorException($"{path}: label out of range [0, {classes})");
        }

        return new PreparedSet(channels, height, width, classes, pixels, labels);
    }

    private static byte[] ToLittleEndianBytes<T>(T[] values)
        where T : unmanaged
    {
        EnsureLittleEndian();
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private static T[] FromLittleEndianBytes<T>(ReadOnlySpan<byte> bytes)
        where T : unmanaged
    {
        EnsureLittleEndian();
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    // Every platform .NET and libtorch run on here is little-endian; refuse rather than corrupt.
    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("prepared sets are little-endian");
        }
    }
}
