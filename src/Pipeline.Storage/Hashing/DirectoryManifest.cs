using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;

namespace Pipeline.Storage.Hashing;

/// <summary>One file of a folder: its path relative to the folder (with <c>/</c>) and its hash.</summary>
/// <param name="RelativePath">Path below the folder, <c>/</c>-separated.</param>
/// <param name="Hash">The file's content hash.</param>
/// <param name="Size">The file's length in bytes; not part of the folder's hash.</param>
public sealed record ManifestEntry(string RelativePath, ContentHash Hash, long Size);

/// <summary>
/// The listing of a folder that its hash is computed from: entries sorted by ordinal relative path,
/// serialised as a JSON array of <c>{"md5", "relpath"}</c> objects. It is stored in the cache as an object of its own.
/// </summary>
public sealed record DirectoryManifest
{
    /// <summary>Creates a manifest, sorting the entries so the hash does not depend on enumeration order.</summary>
    public DirectoryManifest(IEnumerable<ManifestEntry> entries)
    {
        Entries = [.. entries.OrderBy(e => e.RelativePath, StringComparer.Ordinal)];
    }

    /// <summary>The files, sorted by relative path.</summary>
    public ImmutableArray<ManifestEntry> Entries { get; }

    /// <summary>The sum of the file sizes.</summary>
    public long Size => Entries.Sum(e => e.Size);

    /// <summary>The bytes whose MD5 is the folder's hash.</summary>
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var entry in Entries)
            {
                json.WriteStartObject();
                json.WriteString("md5", entry.Hash.Value);
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
        new(ContentHash.OfDirectory(MD5.HashData(Serialize())), Size, Entries.Length);

    /// <summary>Reads a manifest written by <see cref="Serialize"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a manifest.</exception>
    public static DirectoryManifest Deserialize(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            return new DirectoryManifest(document.RootElement.EnumerateArray().Select(ReadEntry));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"not a folder manifest: {e.Message}", e);
        }
    }

    private static ManifestEntry ReadEntry(JsonElement element) => new(
        element.GetProperty("relpath").GetString()!,
        new ContentHash(element.GetProperty("md5").GetString()!),
        element.GetProperty("size").GetInt64());
}
