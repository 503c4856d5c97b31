using System.Collections.Immutable;
using System.Text.Json;

namespace Pipeline.Storage.Hashing;

/// <summary>One file of a folder: its path relative to the folder (with <c>/</c>) and its hash.</summary>
/// <param name="RelativePath">Path below the folder, <c>/</c>-separated.</param>
/// <param name="Hash">The file's content hash.</param>
/// <param name="Size">The file's length in bytes; not part of the folder's hash.</param>
public sealed record ManifestEntry(string RelativePath, ContentHash Hash, long Size);

/// <summary>
/// The listing of a folder that its hash is computed from: entries sorted by ordinal relative path, serialised as a
/// JSON array of <c>{"md5", "relpath", "size"}</c> objects (the algorithm's name in place of <c>md5</c> for another).
/// It is stored in the cache as an object of its own, named by its hash with the same algorithm as its files'.
/// </summary>
public sealed record DirectoryManifest
{
    /// <summary>Creates a manifest, sorting the entries so the hash does not depend on enumeration order.</summary>
    /// <exception cref="ArgumentException">An entry's hash is not of <paramref name="algorithm"/>.</exception>
    public DirectoryManifest(IEnumerable<ManifestEntry> entries, ContentHashAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        Entries = [.. entries.OrderBy(e => e.RelativePath, StringComparer.Ordinal)];
        Algorithm = algorithm;
        if (Entries.FirstOrDefault(e => e.Hash.Algorithm != algorithm) is { } other)
        {
            throw new ArgumentException($"'{other.RelativePath}' is hashed with {other.Hash.Algorithm}, the manifest with {algorithm}", nameof(entries));
        }
    }

    /// <summary>The algorithm the files and the manifest are hashed with.</summary>
    public ContentHashAlgorithm Algorithm { get; }

    /// <summary>The files, sorted by relative path.</summary>
    public ImmutableArray<ManifestEntry> Entries { get; }

    /// <summary>The sum of the file sizes.</summary>
    public long Size => Entries.Sum(e => e.Size);

    /// <summary>The bytes whose digest is the folder's hash.</summary>
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var entry in Entries)
            {
                json.WriteStartObject();
                json.WriteString(Algorithm.Name, entry.Hash.Value);
                json.WriteString("relpath", entry.RelativePath);
                json.WriteNumber("size", entry.Size);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.ToArray();
    }

    /// <summary>The folder's hash and what the lock file records of it.</summary>
    public ContentInfo ToContentInfo() =>
        new(ContentHash.OfDirectory(Algorithm.HashData(Serialize()), Algorithm), Size, Entries.Length);

    /// <summary>Reads a manifest written by <see cref="Serialize"/> with <paramref name="algorithm"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a manifest of that algorithm.</exception>
    public static DirectoryManifest Deserialize(ReadOnlySpan<byte> bytes, ContentHashAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            return new DirectoryManifest(document.RootElement.EnumerateArray().Select(e => ReadEntry(e, algorithm)), algorithm);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"not a folder manifest: {e.Message}", e);
        }
    }

    private static ManifestEntry ReadEntry(JsonElement element, ContentHashAlgorithm algorithm) => new(
        element.GetProperty("relpath").GetString()!,
        new ContentHash(element.GetProperty(algorithm.Name).GetString()!, algorithm),
        element.GetProperty("size").GetInt64());
}
