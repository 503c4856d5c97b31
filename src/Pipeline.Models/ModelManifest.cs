using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Models;

/// <summary>
/// Everything the store knows about one model version, saved as <c>manifest.json</c> beside its files and at the
/// head of its archive.
/// </summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">The version: derived from the content (see <see cref="ModelVersion"/>).</param>
/// <param name="Framework">What produced the weights, e.g. <c>torchsharp</c>.</param>
/// <param name="CreatedAt">When the model was trained (UTC, whole seconds).</param>
/// <param name="GitRevision">The source revision it was trained from, when known.</param>
/// <param name="Params">The training parameters, as text, sorted by key.</param>
/// <param name="Metrics">Metrics measured at training time, sorted by key.</param>
/// <param name="Metadata">
/// What else a user of the model needs, by key, as the code that saved it wrote it: labels, input preprocessing,
/// tensor signature, a schema (see <see cref="GetMetadata{T}"/>). Part of the version, like every other field.
/// </param>
/// <param name="Files">The stored files with their SHA-256, sorted by name.</param>
public sealed record ModelManifest(
    string Name,
    string Version,
    string Framework,
    DateTimeOffset CreatedAt,
    string? GitRevision,
    ImmutableSortedDictionary<string, string> Params,
    ImmutableSortedDictionary<string, double> Metrics,
    ImmutableSortedDictionary<string, JsonElement> Metadata,
    ImmutableArray<ModelFile> Files)
{
    /// <summary>The manifest's file name in a model folder and in an archive.</summary>
    public const string FileName = "manifest.json";

    /// <summary>This model's tag.</summary>
    [JsonIgnore]
    public ModelTag Tag => new(Name, Version);

    /// <summary>Reads the metadata under <paramref name="key"/> as a <typeparamref name="T"/>, written by <see cref="ModelDraft.WithMetadata{T}"/>.</summary>
    /// <exception cref="ModelStoreException">The model has no such metadata, or it does not have the shape of a <typeparamref name="T"/>.</exception>
    public T GetMetadata<T>(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Metadata.TryGetValue(key, out var element))
        {
            throw new ModelStoreException($"model '{Tag}' has no metadata '{key}'");
        }

        try
        {
            return element.Deserialize<T>(StoreJson.Options)
                ?? throw new ModelStoreException($"model '{Tag}': metadata '{key}' is null");
        }
        catch (JsonException ex)
        {
            throw new ModelStoreException($"model '{Tag}': metadata '{key}' is not a {typeof(T).Name} ({ex.Message})", ex);
        }
    }
}

/// <summary>One file of a stored model.</summary>
/// <param name="Name">File name (no folders).</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the content.</param>
public sealed record ModelFile(string Name, long Size, string Sha256);
