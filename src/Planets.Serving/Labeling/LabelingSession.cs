using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Planets.Serving.Api;
using Planets.Serving.Inference;
using Planets.Serving.LabelStudio;

namespace Planets.Serving.Labeling;

/// <summary>The labeling page's images once pre-labelled: the label config and the tasks, least confident first.</summary>
/// <param name="ConfigXml">The label config the editor is given.</param>
/// <param name="Tasks">The tasks, the least confident pre-label first (unreadable images last).</param>
public sealed record LabelingState(string ConfigXml, IReadOnlyList<LabelingTask> Tasks)
{
    /// <summary>How many images have an annotation (skipped ones included).</summary>
    public int Labelled => Tasks.Count(t => t.Annotation is not null);
}

/// <summary>
/// Pre-labels the folder of images once the model is loaded (all queued at once, so the batcher runs full batches),
/// then keeps the annotations submitted from the page, writing both exports after each one. An export left by an
/// earlier session is read back first, so labeling resumes where it stopped.
/// </summary>
public sealed partial class LabelingSession(ModelHost host, IOptions<LabelingOptions> options, IHostApplicationLifetime lifetime, ILogger<LabelingSession> logger)
    : BackgroundService
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];
    private readonly SemaphoreSlim _writes = new(1, 1);
    private volatile LabelingState? _state;
    private LabelingExports? _exports;
    private LabelConfig? _config;

    /// <summary>The tasks, or null while pre-labelling.</summary>
    public LabelingState? Current => _state;

    /// <summary>Stores the annotation of task <paramref name="id"/> (replacing an earlier one) and rewrites the exports.</summary>
    /// <exception cref="RequestProblemException">503 while pre-labelling; 404 for no such task; 400 for a result that chooses no offered value.</exception>
    public async Task<LabelingState> AnnotateAsync(int id, JsonArray result, bool cancelled, double leadTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = _state ?? throw RequestProblemException.NotReady();
            var index = state.Tasks.ToList().FindIndex(t => t.Id == id);
            var task = index >= 0 ? state.Tasks[index] : throw new RequestProblemException(StatusCodes.Status404NotFound, "Not found", $"no task {id}");
            var now = DateTimeOffset.UtcNow;
            var annotation = new TaskAnnotation(id, result, cancelled, leadTime, task.Annotation?.CreatedAt ?? now, now);
            CheckChoices(annotation);
            var tasks = state.Tasks.ToArray();
            tasks[index] = task with { Annotation = annotation };
            var updated = state with { Tasks = tasks };
            await _exports!.WriteAsync(updated.Tasks, cancellationToken).ConfigureAwait(false);
            _state = updated;
            return updated;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _writes.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LoadedModel? model;
        while ((model = host.Current) is null)
        {
            await Task.Delay(50, stoppingToken).ConfigureAwait(false);
        }

        var settings = options.Value;
        var labels = model.Classifier.Labels;
        var xml = LabelConfig.ForLabels(labels);
        _config = LabelConfig.Parse(xml, labels);
        _exports = new LabelingExports(settings, _config);
        IReadOnlyDictionary<string, TaskAnnotation> earlier;
        try
        {
            earlier = await _exports.ReadAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException or FormatException)
        {
            // The page must not overwrite annotations it cannot read: stop, saying which file.
            LogExportUnreadable(logger, settings.Export, ex.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        var files = Directory.EnumerateFiles(settings.Images!, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(settings.Images!, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToList();
        var predictions = await PreLabelAsync(model, files.Select(f => Path.Combine(settings.Images!, f)).ToList(), stoppingToken).ConfigureAwait(false);
        var tasks = files.Select((file, i) => new LabelingTask(i + 1, file, predictions[i], null))
            .Select(t => t with { Annotation = earlier.GetValueOrDefault(t.Image) })
            .OrderBy(t => t.Prediction?.Score ?? float.MaxValue).ThenBy(t => t.Id).ToList();
        _state = new LabelingState(xml, tasks);
        LogReady(logger, tasks.Count, _state.Labelled, settings.Export, settings.MinimalExport);
    }

    private async Task<TaskPrediction?[]> PreLabelAsync(LoadedModel model, List<string> paths, CancellationToken cancellationToken)
    {
        var pixels = await Task.WhenAll(paths.Select(async path =>
        {
            try
            {
                return model.Preprocessor.Preprocess(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
            }
            catch (InvalidDataException ex)
            {
                LogUnreadable(logger, path, ex.Message);
                return null;
            }
        })).ConfigureAwait(false);
        var pending = pixels.Select(p => p is null ? null : model.Batcher.PredictAsync(p, null, cancellationToken)).ToArray();
        var version = model.Model.Tag.ToString();
        var labels = model.Classifier.Labels;
        var answers = new TaskPrediction?[paths.Count];
        for (var i = 0; i < answers.Length; i++)
        {
            answers[i] = pending[i] is { } prediction ? _config!.PreLabel(await prediction.ConfigureAwait(false), labels, version) : null;
        }

        return answers;
    }

    private void CheckChoices(TaskAnnotation annotation)
    {
        var offered = _config!.Choices.Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        if (!annotation.Cancelled && (annotation.Choices.Count != 1 || !offered.Contains(annotation.Choices[0])))
        {
            throw new RequestProblemException($"the annotation must choose one of {string.Join(", ", offered)}, or skip the image");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Labeling {Count} images ({Labelled} labelled so far); exports: {Export}, {MinimalExport}")]
    private static partial void LogReady(ILogger logger, int count, int labelled, string export, string minimalExport);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Export} cannot be read back ({Reason}); move it away or fix it, so no annotation in it is overwritten")]
    private static partial void LogExportUnreadable(ILogger logger, string export, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} cannot be decoded as an image ({Reason}); it is listed without a pre-label")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);
}
