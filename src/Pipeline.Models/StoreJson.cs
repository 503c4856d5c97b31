using System.Text.Json;

namespace Pipeline.Models;

/// <summary>The JSON style of manifests: snake_case keys, indented, LF endings (the style of the pipeline's own JSON files).</summary>
internal static class StoreJson
{
    /// <summary>Options for every manifest written or read.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        NewLine = "\n",
    };

    /// <summary>The manifest as UTF-8 bytes with a trailing newline.</summary>
    public static byte[] Serialize(ModelManifest manifest) =>
        JsonSerializer.SerializeToUtf8Bytes(manifest, Options).Concat("\n"u8.ToArray()).ToArray();

    /// <summary>Reads a manifest; a broken one is a <see cref="ModelStoreException"/> naming <paramref name="source"/>.</summary>
    public static ModelManifest Deserialize(ReadOnlySpan<byte> utf8, string source)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<ModelManifest>(utf8, Options)
                ?? throw new ModelStoreException($"{source}: empty manifest");
            return IsComplete(manifest) ? manifest : throw new ModelStoreException($"{source}: incomplete manifest");
        }
        catch (JsonException ex)
        {
            throw new ModelStoreException($"{source}: invalid manifest ({ex.Message})", ex);
        }
    }

    // The serializer leaves missing members null or default; a manifest without them cannot describe a model.
    private static bool IsComplete(ModelManifest m) =>
        m.Name is not null && m.Version is not null && m.Framework is not null
        && m.Params is not null && m.Metrics is not null && m.Metadata is not null && !m.Files.IsDefault;
}
