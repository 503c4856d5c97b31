using Planets.Ml.Cli;
using Planets.Ml.Common;

namespace Planets.Ml.Training;

/// <summary>
/// Saves and loads the TorchSharp files of a model: <c>model.pt</c> (weights) and <c>model.json</c> (shape and labels),
/// in a model folder or in a model store version's folder.
/// </summary>
internal static class ModelFiles
{
    /// <summary>Writes weights and description, each via a temporary file, so neither is ever half-written.</summary>
    public static async Task SaveAsync(string modelDir, PlanetNet model, ModelInfo info, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(modelDir);
        await AtomicFile.WriteAsync(
            Path.Combine(modelDir, ModelInfo.WeightsFile),
            (temp, _) =>
            {
                model.save(temp);
                return Task.CompletedTask;
            },
            cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(Path.Combine(modelDir, ModelInfo.InfoFile), Json.Serialize(info), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rebuilds the network from a model folder.</summary>
    public static async Task<(PlanetNet Model, ModelInfo Info)> LoadAsync(string modelDir, CancellationToken cancellationToken)
    {
        var info = await Json.ReadAsync<ModelInfo>(Path.Combine(modelDir, ModelInfo.InfoFile), cancellationToken).ConfigureAwait(false);
        var weights = Path.Combine(modelDir, info.Weights);
        if (!File.Exists(weights))
        {
            throw new UserErrorException($"{weights}: file not found (run train first)");
        }

        var model = new PlanetNet(info);
        try
        {
            model.load(weights);
        }
        catch (ArgumentException ex)
        {
            model.Dispose();
            throw new UserErrorException($"{weights}: weights do not match {ModelInfo.InfoFile} ({ex.Message})", ex);
        }

        return (model, info);
    }
}
