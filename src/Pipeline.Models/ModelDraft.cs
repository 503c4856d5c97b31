using System.Collections.Immutable;
using System.Text.Json;

namespace Pipeline.Models;

/// <summary>A model about to be saved: its metadata and the files to copy into the store. The store gives it its version.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Framework">What produced the weights.</param>
/// <param name="CreatedAt">When it was trained.</param>
/// <param name="GitRevision">The source revision, when known.</param>
/// <param name="Params">Training parameters.</param>
/// <param name="Metrics">Training-time metrics.</param>
/// <param name="Files">Stored file name to the path of the file to copy.</param>
public sealed record ModelDraft(
    string Name,
    string Framework,
    DateTimeOffset CreatedAt,
    string? GitRevision,
    ImmutableSortedDictionary<string, string> Params,
    ImmutableSortedDictionary<string, double> Metrics,
    ImmutableSortedDictionary<string, string> Files)
{
    /// <summary>The model's metadata by key (see <see cref="ModelManifest.Metadata"/>); empty until <see cref="WithMetadata{T}"/> adds some.</summary>
    public ImmutableSortedDictionary<string, JsonElement> Metadata { get; init; } = ImmutableSortedDictionary.Create<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>
    /// This draft with <paramref name="value"/> as its metadata under <paramref name="key"/>, written as the manifest's
    /// JSON (snake_case names); <see cref="ModelManifest.GetMetadata{T}"/> reads it back.
    /// </summary>
    public ModelDraft WithMetadata<T>(string key, T value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return this with { Metadata = Metadata.SetItem(key, JsonSerializer.SerializeToElement(value, StoreJson.Options)) };
    }
}
