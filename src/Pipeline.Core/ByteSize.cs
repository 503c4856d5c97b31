using System.Globalization;

namespace Pipeline.Core;

/// <summary>
/// Sizes as every message of the pipeline writes them: decimal units (1 kB = 1,000 bytes, 1 MB = 1,000,000), as
/// Docker, the S3 consoles and network rates count, so a transfer's size and its rate read in the same unit.
/// </summary>
public static class ByteSize
{
    /// <summary><c>512 bytes</c>, <c>1.5 kB</c>, <c>12.3 MB</c>, <c>1.25 GB</c>: the unit that reads best.</summary>
    /// <param name="bytes">The size.</param>
    public static string Format(long bytes) => bytes switch
    {
        < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB"),
        < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.00} GB"),
    };

    /// <summary><paramref name="bytes"/> in megabytes with one decimal, without the unit (<c>12.3</c>), for a progress line's columns.</summary>
    /// <param name="bytes">The size.</param>
    public static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture);
}
