using Planets.Serving.LabelStudio;

namespace Planets.Serving.Labeling;

/// <summary>One image of the labeling page, as a Label Studio task.</summary>
/// <param name="Id">The task's id: the image's place in file-name order, from 1.</param>
/// <param name="File">The image's path relative to the images folder, with '/'.</param>
/// <param name="Prediction">The model's pre-label, or null when the image cannot be read.</param>
/// <param name="Annotation">The submitted annotation, or null.</param>
public sealed record LabelingTask(int Id, string File, TaskPrediction? Prediction, TaskAnnotation? Annotation)
{
    /// <summary>The image as Label Studio's local-files storage names it, so an export can also come from a Label Studio server.</summary>
    public string Image => $"/data/local-files/?d={Uri.EscapeDataString(File).Replace("%2F", "/", StringComparison.Ordinal)}";
}

/// <summary>A submitted annotation.</summary>
/// <param name="Id">Its id (the task's: one annotation per task here).</param>
/// <param name="Result">The Label Studio result regions, as the editor serialized them.</param>
/// <param name="Cancelled">Whether the image was skipped.</param>
/// <param name="LeadTime">Seconds spent, as the editor measured.</param>
/// <param name="CreatedAt">When first submitted.</param>
/// <param name="UpdatedAt">When last changed.</param>
public sealed record TaskAnnotation(int Id, System.Text.Json.Nodes.JsonArray Result, bool Cancelled, double LeadTime, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The chosen values of the <c>choices</c> regions.</summary>
    public IReadOnlyList<string> Choices =>
        [.. Result.Where(r => (string?)r?["type"] == "choices").SelectMany(r => r!["value"]?["choices"]?.AsArray() ?? []).Select(c => (string?)c ?? "")];
}
