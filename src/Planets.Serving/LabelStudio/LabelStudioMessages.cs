using System.Text.Json.Serialization;

namespace Planets.Serving.LabelStudio;

/// <summary>The answer of <c>GET /health</c>: Label Studio checks <c>status</c>.</summary>
/// <param name="Status"><c>UP</c> when the model is loaded.</param>
/// <param name="ModelClass">What answers: the model's name.</param>
/// <param name="ModelVersion">The served model's tag.</param>
public sealed record BackendHealth(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("model_class")] string ModelClass,
    [property: JsonPropertyName("model_version")] string? ModelVersion);

/// <summary>The answer of <c>POST /setup</c>.</summary>
/// <param name="ModelVersion">The served model's tag, which Label Studio stores with each prediction.</param>
public sealed record SetupAnswer([property: JsonPropertyName("model_version")] string ModelVersion);

/// <summary>The answer of <c>POST /predict</c>: one entry per task, in task order.</summary>
/// <param name="Results">The predictions.</param>
/// <param name="ModelVersion">The served model's tag (older Label Studio servers read it here).</param>
public sealed record PredictAnswer(
    [property: JsonPropertyName("results")] IReadOnlyList<TaskPrediction> Results,
    [property: JsonPropertyName("model_version")] string ModelVersion);

/// <summary>A prediction for one task, as Label Studio stores it; an unreadable image gives an empty result and <see cref="Error"/>.</summary>
/// <param name="Result">The pre-label: one choices result, or none.</param>
/// <param name="Score">The model's probability of the chosen value (what Label Studio sorts tasks by).</param>
/// <param name="ModelVersion">The served model's tag.</param>
/// <param name="Error">Why this task has no pre-label.</param>
public sealed record TaskPrediction(
    [property: JsonPropertyName("result")] IReadOnlyList<ChoicesResult> Result,
    [property: JsonPropertyName("score"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float? Score,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

/// <summary>A <c>choices</c> region of a Label Studio result.</summary>
/// <param name="FromName">The <c>&lt;Choices&gt;</c> control's name.</param>
/// <param name="ToName">The <c>&lt;Image&gt;</c>'s name.</param>
/// <param name="Type">Always <c>choices</c>.</param>
/// <param name="Value">The chosen values.</param>
public sealed record ChoicesResult(
    [property: JsonPropertyName("from_name")] string FromName,
    [property: JsonPropertyName("to_name")] string ToName,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] ChoicesValue Value);

/// <summary>The value of a <c>choices</c> result.</summary>
/// <param name="Choices">The chosen values.</param>
public sealed record ChoicesValue([property: JsonPropertyName("choices")] IReadOnlyList<string> Choices);

/// <summary>The answer of <c>POST /webhook</c>.</summary>
/// <param name="Status"><c>ok</c>, or <c>Unknown event</c>.</param>
/// <param name="Result">What the backend did with the event.</param>
public sealed record WebhookAnswer(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Result);
