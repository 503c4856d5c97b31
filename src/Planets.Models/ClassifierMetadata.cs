using System.Collections.Immutable;
using Pipeline.Models;
using Planets.Models.Preprocessing;

namespace Planets.Models;

/// <summary>
/// What serving needs to know of a stored planets classifier beside its files, kept in the model store's open
/// metadata under <see cref="Key"/>: the classes, how an image becomes the input, and the ONNX tensors.
/// </summary>
/// <param name="Labels">Class names in output order.</param>
/// <param name="Preprocessing">How an image becomes the model's input.</param>
/// <param name="Signature">The model's input and output tensors.</param>
public sealed record ClassifierMetadata(ImmutableArray<string> Labels, PreprocessOptions Preprocessing, ModelSignature Signature)
{
    /// <summary>The metadata key of a classifier's description.</summary>
    public const string Key = "classifier";

    /// <summary>
    /// The metadata key of how the weights were computed (numerics mode, pinned kernel choices, threads): what a
    /// second training must match to give the same weights.
    /// </summary>
    public const string NumericsKey = "numerics";

    /// <summary>The classifier description of <paramref name="model"/>, checked to be whole.</summary>
    /// <exception cref="ModelStoreException">The model was not saved as a classifier, or its description is incomplete.</exception>
    public static ClassifierMetadata Of(StoredModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var metadata = model.Manifest.GetMetadata<ClassifierMetadata>(Key);
        return metadata is { Labels.IsDefault: false, Preprocessing: not null, Signature: { Inputs.IsDefault: false, Outputs.IsDefault: false } }
            ? metadata
            : throw new ModelStoreException($"model '{model.Tag}': metadata '{Key}' lacks labels, preprocessing or signature");
    }
}

/// <summary>The tensors a model takes and returns.</summary>
/// <param name="Inputs">Input tensors.</param>
/// <param name="Outputs">Output tensors.</param>
public sealed record ModelSignature(ImmutableArray<TensorSpec> Inputs, ImmutableArray<TensorSpec> Outputs);

/// <summary>One named tensor of a signature.</summary>
/// <param name="Name">The tensor's name in the model graph.</param>
/// <param name="DataType">Element type, e.g. <c>float32</c>.</param>
/// <param name="Shape">Dimensions; -1 is a dimension of any size (the batch).</param>
public sealed record TensorSpec(string Name, string DataType, ImmutableArray<long> Shape);
