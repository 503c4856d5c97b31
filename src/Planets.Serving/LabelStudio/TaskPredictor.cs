using System.Text.Json.Nodes;
using Planets.Serving.Inference;

namespace Planets.Serving.LabelStudio;

/// <summary>
/// Pre-labels the tasks of one <c>/predict</c> call: every image is read and decoded first (a few downloads at a
/// time), then all are queued at once, so the batcher runs them in full batches. A task whose image cannot be read
/// gets an error of its own; the others are answered.
/// </summary>
/// <param name="model">The loaded model.</param>
/// <param name="config">The project's label config.</param>
/// <param name="setup">The project's setup, for its host and token; null when it was not set up.</param>
/// <param name="images">Where images are read from.</param>
/// <param name="concurrency">Images read at once.</param>
internal sealed class TaskPredictor(LoadedModel model, LabelConfig config, ProjectSetup? setup, TaskImages images, int concurrency)
{
    private readonly string _version = model.Model.Tag.ToString();

    /// <summary>One prediction per task, in task order.</summary>
    public async Task<IReadOnlyList<TaskPrediction>> PredictAsync(IReadOnlyList<JsonNode?> tasks, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var decoded = await Task.WhenAll(tasks.Select(task => DecodeAsync(task, gate, cancellationToken))).ConfigureAwait(false);
        var pending = decoded.Select(d => d.Pixels is { } pixels ? model.Batcher.PredictAsync(pixels, null, cancellationToken) : null).ToArray();
        var answers = new TaskPrediction[tasks.Count];
        for (var i = 0; i < answers.Length; i++)
        {
            answers[i] = pending[i] is { } prediction
                ? config.PreLabel(await prediction.ConfigureAwait(false), model.Classifier.Labels, _version)
                : Failed(decoded[i].Error!);
        }

        return answers;
    }

    private async Task<(float[]? Pixels, string? Error)> DecodeAsync(JsonNode? task, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reference = ImageReference(task);
            var bytes = await images.ReadAsync(reference, setup, cancellationToken).ConfigureAwait(false);
            try
            {
                return (model.Preprocessor.Preprocess(bytes), null);
            }
            catch (InvalidDataException ex)
            {
                return (null, $"{reference}: cannot be decoded as an image ({ex.Message})");
            }
        }
        catch (TaskImageException ex)
        {
            return (null, ex.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    private string ImageReference(JsonNode? task) =>
        task?["data"]?[config.ImageField] is JsonValue value && value.TryGetValue<string>(out var reference) && reference.Length > 0
            ? reference
            : throw new TaskImageException($"task {task?["id"]?.ToJsonString() ?? "(no id)"}: data.{config.ImageField} is missing (the <Image> reads ${config.ImageField})");

    private TaskPrediction Failed(string error) => new([], null, _version, error);
}
