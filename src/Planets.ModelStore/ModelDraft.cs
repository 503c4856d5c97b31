using System.Collections.Immutable;
using Planets.Models.Preprocessing;

namespace Planets.Models;

/// <summary>A model about to be saved: its metadata and the files to copy into the store. The store gives it its version.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Framework">What produced the weights.</param>
/// <param name="CreatedAt">When it was trained.</param>
/// <param name="GitRevision">The source revision, when known.</param>
/// <param name="Labels">Class names in output order.</param>
/// <param name="Preprocessing">How an image becomes the model's input.</param>
/// <param name="Params">Training parameters.</param>
/// <param name="Metrics">Training-time metrics.</param>
/// <param name="Signature">Input and output tensors.</param>
/// <param name="Files">Stored file name to the path of the file to copy.</param>
public sealed record ModelDraft(
    string Name,
    string Framework,
    DateTimeOffset CreatedAt,
    string? GitRevision,
    ImmutableArray<string> Labels,
    PreprocessOptions Preprocessing,
    ImmutableSortedDictionary<string, string> Params,
    ImmutableSortedDictionary<string, double> Metrics,
    ModelSignature Signature,
    ImmutableSortedDictionary<string, string> Files)
{
    /// <summary>How the weights were computed (numerics mode, pinned kernel choices, threads), by key.</summary>
    public ImmutableSortedDictionary<string, string> Numerics { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
}
