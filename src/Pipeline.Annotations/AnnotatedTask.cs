namespace Pipeline.Annotations;

/// <summary>One task of an export: the image it shows and what each annotator chose.</summary>
/// <param name="TaskId">The task's id in the export.</param>
/// <param name="Image">The image reference as the export gives it (a path, an upload path or a URL).</param>
/// <param name="Annotations">The annotations that chose a class; cancelled ones are left out.</param>
/// <param name="Cancelled">How many of the task's annotations were cancelled (skipped).</param>
public sealed record AnnotatedTask(string TaskId, string Image, IReadOnlyList<Annotation> Annotations, int Cancelled);

/// <summary>One annotator's choice for a task.</summary>
/// <param name="Annotator">Who annotated (Label Studio's user id or e-mail).</param>
/// <param name="Label">The chosen class.</param>
/// <param name="UpdatedAt">When the annotation last changed, when the export says.</param>
public sealed record Annotation(string Annotator, string Label, DateTimeOffset? UpdatedAt);
