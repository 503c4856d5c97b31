using System.Globalization;
using System.Text.Json;

namespace Pipeline.Annotations;

/// <summary>Which task field holds the image and which control holds the class, when an export has several.</summary>
public sealed record ExportFields
{
    /// <summary>The task data field with the image; null for <c>image</c>, or the data's only text field.</summary>
    public string? ImageField { get; init; }

    /// <summary>The <c>&lt;Choices&gt;</c> control's name; null for the export's only choices control.</summary>
    public string? Control { get; init; }
}

/// <summary>
/// Reads a Label Studio export in either of its JSON formats: <c>JSON</c> (tasks with their <c>annotations</c>, a
/// cancelled one marked <c>was_cancelled</c>) or <c>JSON-MIN</c> (one flat record per annotation, the control's value
/// a bare string for one choice). The format is told by the records' shape.
/// </summary>
public static class LabelStudioExport
{
    // The fields JSON-MIN adds beside the task's data and the controls' values.
    private static readonly HashSet<string> MinimalMetadata = new(StringComparer.Ordinal)
    {
        "id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement", "drafts", "predictions",
    };

    /// <summary>Reads the export at <paramref name="path"/>.</summary>
    /// <exception cref="AnnotationException">The file is missing, not JSON, or not shaped as an export; the message names the record.</exception>
    public static async Task<IReadOnlyList<AnnotatedTask>> ReadAsync(string path, ExportFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!File.Exists(path))
        {
            throw new AnnotationException($"{path}: export file not found");
        }

        JsonDocument document;
        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException ex)
        {
            throw new AnnotationException($"{path}: not JSON ({ex.Message}); expected a Label Studio export (JSON or JSON-MIN)", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new AnnotationException($"{path}: expected a list of tasks (a Label Studio JSON or JSON-MIN export)");
            }

            var records = document.RootElement.EnumerateArray().ToList();
            if (records.Any(r => r.ValueKind != JsonValueKind.Object))
            {
                throw new AnnotationException($"{path}: record {records.FindIndex(r => r.ValueKind != JsonValueKind.Object) + 1} is not an object");
            }

            return records.Count > 0 && records[0].TryGetProperty("annotations", out _)
                ? new FullExport(path, fields).Read(records)
                : new MinimalExport(path, fields).Read(records);
        }
    }

    private static string Id(JsonElement record) =>
        record.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.Number or JsonValueKind.String ? id.ToString() : "?";

    private static DateTimeOffset? Time(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static string? Person(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number or JsonValueKind.String => value.ToString(),
        JsonValueKind.Object when value.TryGetProperty("email", out var email) => email.ToString(),
        JsonValueKind.Object when value.TryGetProperty("id", out var id) => id.ToString(),
        _ => null,
    };

    /// <summary>The JSON format: tasks with <c>data</c> and <c>annotations[].result[]</c>.</summary>
    private sealed class FullExport(string path, ExportFields fields)
    {
        public List<AnnotatedTask> Read(List<JsonElement> tasks)
        {
            var control = fields.Control ?? OnlyControl(tasks);
            return [.. tasks.Select(task => Task(task, control))];
        }

        private AnnotatedTask Task(JsonElement task, string? control)
        {
            var id = Id(task);
            if (!task.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !task.TryGetProperty("annotations", out var annotations) || annotations.ValueKind != JsonValueKind.Array)
            {
                throw new AnnotationException($"{path}: task {id}: expected \"data\" and \"annotations\" as Label Studio's JSON export has them");
            }

            var chosen = new List<Annotation>();
            var cancelled = 0;
            foreach (var annotation in annotations.EnumerateArray())
            {
                if (annotation.TryGetProperty("was_cancelled", out var skipped) && skipped.ValueKind == JsonValueKind.True)
                {
                    cancelled++;
                    continue;
                }

                if (Choice(id, annotation, control) is { } label)
                {
                    var annotator = annotation.TryGetProperty("completed_by", out var by) ? Person(by) : null;
                    chosen.Add(new Annotation(annotator ?? Id(annotation), label, Time(annotation, "updated_at")));
                }
            }

            return new AnnotatedTask(id, Image(id, data), chosen, cancelled);
        }

        private string? Choice(string task, JsonElement annotation, string? control)
        {
            var choices = Results(annotation).Where(r => control is null || r.GetProperty("from_name").GetString() == control).ToList();
            if (choices.Count == 0)
            {
                return null;
            }

            var values = choices.SelectMany(r => r.TryGetProperty("value", out var v) && v.TryGetProperty("choices", out var c) && c.ValueKind == JsonValueKind.Array
                ? c.EnumerateArray().Select(x => x.GetString() ?? "") : [""]).ToList();
            return values.Count == 1 && values[0].Length > 0
                ? values[0]
                : throw new AnnotationException($"{path}: task {task}: annotation {Id(annotation)} chose {values.Count} values; one class per image is expected");
        }

        private static IEnumerable<JsonElement> Results(JsonElement annotation) =>
            annotation.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Array
                ? result.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.Object
                    && r.TryGetProperty("type", out var type) && type.GetString() == "choices" && r.TryGetProperty("from_name", out _))
                : [];

        private string? OnlyControl(List<JsonElement> tasks)
        {
            var names = tasks.SelectMany(t => t.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [])
                .SelectMany(Results).Select(r => r.GetProperty("from_name").GetString()).Distinct().ToList();
            return names.Count <= 1 ? null
                : throw new AnnotationException($"{path}: the annotations fill several choices controls ({string.Join(", ", names)}); name the class's with --control");
        }

        private string Image(string task, JsonElement data)
        {
            var field = fields.ImageField ?? (data.TryGetProperty("image", out _) ? "image" : OnlyText(data));
            return field is not null && data.TryGetProperty(field, out var image) && image.ValueKind == JsonValueKind.String && image.GetString() is { Length: > 0 } reference
                ? reference
                : throw new AnnotationException($"{path}: task {task}: data has no image field {(field is null ? "(name it with --image-field)" : $"'{field}'")}");
        }

        private static string? OnlyText(JsonElement data)
        {
            var texts = data.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => p.Name).ToList();
            return texts.Count == 1 ? texts[0] : null;
        }
    }

    /// <summary>The JSON-MIN format: one flat record per annotation (a task with none has a record with a null annotator).</summary>
    private sealed class MinimalExport(string path, ExportFields fields)
    {
        public List<AnnotatedTask> Read(List<JsonElement> records)
        {
            var imageField = fields.ImageField ?? "image";
            var control = fields.Control ?? OnlyControl(records, imageField);
            return [.. records.GroupBy(Id).Select(task => Task(task.Key, [.. task], imageField, control))];
        }

        private AnnotatedTask Task(string id, List<JsonElement> records, string imageField, string control)
        {
            var images = records.Select(r => r.TryGetProperty(imageField, out var image) && image.ValueKind == JsonValueKind.String ? image.GetString() : null).Distinct().ToList();
            if (images is not [{ Length: > 0 } reference])
            {
                throw new AnnotationException($"{path}: task {id}: expected one '{imageField}' field with the image (name another with --image-field)");
            }

            var annotations = records.Where(r => r.TryGetProperty("annotator", out var a) && a.ValueKind != JsonValueKind.Null && r.TryGetProperty(control, out _))
                .Select(r => new Annotation(Person(r.GetProperty("annotator")) ?? "?", Label(id, r.GetProperty(control)), Time(r, "updated_at")));
            return new AnnotatedTask(id, reference, [.. annotations], 0);
        }

        private string Label(string task, JsonElement value)
        {
            var label = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Object when value.TryGetProperty("choices", out var choices) && choices is { ValueKind: JsonValueKind.Array } && choices.GetArrayLength() == 1
                    && choices[0].ValueKind == JsonValueKind.String => choices[0].GetString(),
                _ => null,
            };
            return label is { Length: > 0 }
                ? label
                : throw new AnnotationException($"{path}: task {task}: the annotation's value {value.GetRawText()} is not one class; one class per image is expected");
        }

        private string OnlyControl(List<JsonElement> records, string imageField)
        {
            var names = records.SelectMany(r => r.EnumerateObject())
                .Where(p => p.Name != imageField && !MinimalMetadata.Contains(p.Name) && p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Object)
                .Select(p => p.Name).Distinct().ToList();
            return names switch
            {
                [var only] => only,
                [] => throw new AnnotationException($"{path}: no record has a class (a JSON-MIN export has the control's name as a field, e.g. \"choice\": \"Earth\")"),
                _ => throw new AnnotationException($"{path}: the records have several fields that could be the class ({string.Join(", ", names)}); name the control with --control"),
            };
        }
    }
}
