using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Planets.Serving.Labeling;

/// <summary>
/// Writes the labeling page's annotations in Label Studio's own export formats, so <c>ImportAnnotations</c> reads
/// them as it reads a Label Studio server's: <c>JSON</c> (annotated tasks with their annotations; a skipped image is
/// an annotation with <c>was_cancelled</c>) and <c>JSON-MIN</c> (one flat record per annotation that chose a class).
/// Each file is written whole to a temporary name and renamed over the old one.
/// </summary>
/// <param name="options">Where the exports go.</param>
/// <param name="config">The page's label config (its control and image names).</param>
internal sealed class LabelingExports(LabelingOptions options, LabelStudio.LabelConfig config)
{
    // Label Studio's project, user and timestamps as its serializers write them.
    private const int Project = 1;
    private const int Annotator = 1;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes both exports for <paramref name="tasks"/>.</summary>
    public async Task WriteAsync(IEnumerable<LabelingTask> tasks, CancellationToken cancellationToken)
    {
        var annotated = tasks.Where(t => t.Annotation is not null).OrderBy(t => t.Id).ToList();
        await WriteWholeAsync(options.Export, new JsonArray([.. annotated.Select(Full)]), cancellationToken).ConfigureAwait(false);
        await WriteWholeAsync(options.MinimalExport, new JsonArray([.. annotated.Where(t => !t.Annotation!.Cancelled).Select(Minimal)]), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads back the annotations of an earlier session's JSON export, by image, so labeling resumes where it stopped.</summary>
    public async Task<IReadOnlyDictionary<string, TaskAnnotation>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(options.Export))
        {
            return new Dictionary<string, TaskAnnotation>();
        }

        var stream = File.OpenRead(options.Export);
        await using (stream.ConfigureAwait(false))
        {
            var tasks = await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonArray
                ?? throw new InvalidDataException($"{options.Export}: not a Label Studio JSON export");
            return tasks.Select(t => (Image: (string?)t?["data"]?[config.ImageField], Annotation: t?["annotations"]?.AsArray().LastOrDefault()))
                .Where(t => t.Image is not null && t.Annotation is not null)
                .ToDictionary(t => t.Image!, t => Annotation(t.Annotation!), StringComparer.Ordinal);
        }
    }

    private static TaskAnnotation Annotation(JsonNode annotation) => new(
        (int?)annotation["id"] ?? 0,
        annotation["result"]?.DeepClone().AsArray() ?? [],
        (bool?)annotation["was_cancelled"] ?? false,
        (double?)annotation["lead_time"] ?? 0,
        DateTimeOffset.Parse((string?)annotation["created_at"] ?? "1970-01-01T00:00:00Z", CultureInfo.InvariantCulture),
        DateTimeOffset.Parse((string?)annotation["updated_at"] ?? "1970-01-01T00:00:00Z", CultureInfo.InvariantCulture));

    private JsonObject Full(LabelingTask task)
    {
        var annotation = task.Annotation!;
        return new JsonObject
        {
            ["id"] = task.Id,
            ["annotations"] = new JsonArray(new JsonObject
            {
                ["id"] = annotation.Id,
                ["completed_by"] = Annotator,
                ["result"] = annotation.Result.DeepClone(),
                ["was_cancelled"] = annotation.Cancelled,
                ["ground_truth"] = false,
                ["created_at"] = Time(annotation.CreatedAt),
                ["updated_at"] = Time(annotation.UpdatedAt),
                ["lead_time"] = annotation.LeadTime,
                ["prediction"] = new JsonObject(),
                ["result_count"] = 0,
                ["task"] = task.Id,
                ["project"] = Project,
                ["updated_by"] = Annotator,
                ["parent_prediction"] = task.Prediction is null ? null : task.Id,
                ["parent_annotation"] = null,
            }),
            ["drafts"] = new JsonArray(),
            ["predictions"] = task.Prediction is null ? new JsonArray() : new JsonArray(task.Id),
            ["data"] = new JsonObject { [config.ImageField] = task.Image },
            ["meta"] = new JsonObject(),
            ["created_at"] = Time(annotation.CreatedAt),
            ["updated_at"] = Time(annotation.UpdatedAt),
            ["inner_id"] = task.Id,
            ["total_annotations"] = annotation.Cancelled ? 0 : 1,
            ["cancelled_annotations"] = annotation.Cancelled ? 1 : 0,
            ["total_predictions"] = task.Prediction is null ? 0 : 1,
            ["project"] = Project,
            ["updated_by"] = Annotator,
        };
    }

    // JSON-MIN's value rule: one chosen value is the bare string, several are {"choices": [...]}.
    private JsonObject Minimal(LabelingTask task)
    {
        var annotation = task.Annotation!;
        var choices = annotation.Choices;
        return new JsonObject
        {
            [config.ImageField] = task.Image,
            ["id"] = task.Id,
            [config.FromName] = choices.Count == 1 ? choices[0] : new JsonObject { ["choices"] = new JsonArray([.. choices.Select(c => (JsonNode?)c)]) },
            ["annotator"] = Annotator,
            ["annotation_id"] = annotation.Id,
            ["created_at"] = Time(annotation.CreatedAt),
            ["updated_at"] = Time(annotation.UpdatedAt),
            ["lead_time"] = annotation.LeadTime,
        };
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static async Task WriteWholeAsync(string path, JsonArray content, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllTextAsync(temporary, content.ToJsonString(Indented), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
