using System.Collections.Immutable;
using Planets.Models.Preprocessing;

namespace Planets.Models;

/// <summary>
/// Everything the store knows about one model version, saved as <c>manifest.json</c> beside its files and at the
/// head of its archive.
/// </summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">The version: derived from the content (see <see cref="ModelVersion"/>).</param>
/// <param name="Framework">What produced the weights, e.g. <c>torchsharp</c>.</param>
/// <param name="CreatedAt">When the model was trained (UTC, whole seconds).</param>
/// <param name="GitRevision">The source revision it was trained from, when known.</param>
/// <param name="Labels">Class names in output order.</param>
/// <param name="Preprocessing">How an image becomes the model's input.</param>
/// <param name="Params">The training parameters, as text, sorted by key.</param>
/// <param name="Metrics">Metrics measured at training time, sorted by key.</param>
/// <param name="Signature">The model's input and output tensors.</param>
/// <param name="Files">The stored files with their SHA-256, sorted by name.</param>
public sealed record ModelManifest(
    string Name,
    string Version,
    string Framework,
    DateTimeOffset CreatedAt,
    string? GitRevision,
    ImmutableArray<string> Labels,
    PreprocessOptions Preprocessing,
    ImmutableSortedDictionary<string, string> Params,
    ImmutableSortedDictionary<string, double> Metrics,
    ModelSignature Signature,
    ImmutableArray<ModelFile> Files)
{
    /// <summary>
    /// How the weights were computed (numerics mode, pinned kernel choices, threads): what a second training must
    /// match to give the same weights. Empty for models saved before it was recorded.
    /// </summary>
    public ImmutableSortedDictionary<string, string> Numerics { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>The manifest's file name in a model folder and in an archive.</summary>
    public const string FileName = "manifest.json";

    /// <summary>This model's tag.</summary>
    public ModelTag Tag => new(Name, Version);
}

/// <summary>One file of a stored model.</summary>
/// <param name="Name">File name (no folders).</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the content.</param>
public sealed record ModelFile(string Name, long Size, string Sha256);

/// <summary>The tensors a model takes and returns.</summary>
/// <param name="Inputs">Input tensors.</param>
/// <param name="Outputs">Output tensors.</param>
public sealed record ModelSignature(ImmutableArray<TensorSpec> Inputs, ImmutableArray<TensorSpec> Outputs);

/// <summary>One named tensor of a signature.</summary>
/// <param name="Name">The tensor's name in the model graph.</param>
/// <param name="DataType">Element type, e.g. <c>float32</c>.</param>
/// <param name="Shape">Dimensions; -1 is a dimension of any size (the batch).</param>
public sealed record TensorSpec(string Name, string DataType, ImmutableArray<long> Shape);
