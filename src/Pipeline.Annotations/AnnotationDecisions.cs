namespace Pipeline.Annotations;

/// <summary>What to do with an image whose annotators chose different classes.</summary>
public enum DisagreementRule
{
    /// <summary>Leave the image out and report it (the default: no rule guesses for the team).</summary>
    Skip,

    /// <summary>The class most annotators chose; a tie leaves the image out.</summary>
    Majority,

    /// <summary>The class of the annotation changed last.</summary>
    Latest,
}

/// <summary>An image and the class it is filed under.</summary>
/// <param name="TaskId">The task it came from.</param>
/// <param name="Image">The image reference.</param>
/// <param name="Label">The class, as the annotators spelled it.</param>
public sealed record LabelledImage(string TaskId, string Image, string Label);

/// <summary>An image whose annotators chose different classes and that the rule left out.</summary>
/// <param name="TaskId">The task (the first, when the image is in several).</param>
/// <param name="Image">The image reference.</param>
/// <param name="Annotations">What each annotator chose.</param>
public sealed record Disagreement(string TaskId, string Image, IReadOnlyList<Annotation> Annotations)
{
    /// <summary>The choices, as <c>annotator: class</c>.</summary>
    public override string ToString() =>
        $"task {TaskId} ({Image}): {string.Join(", ", Annotations.Select(a => $"{a.Annotator}: {a.Label}"))}";
}

/// <summary>The export's images settled: one class each, or reported.</summary>
/// <param name="Labelled">Images with one class.</param>
/// <param name="Disagreements">Images left out because their annotators disagree.</param>
/// <param name="Cancelled">Annotations that were cancelled (skipped), left out.</param>
/// <param name="Unlabelled">Images nobody annotated, left out.</param>
public sealed record AnnotationDecisions(IReadOnlyList<LabelledImage> Labelled, IReadOnlyList<Disagreement> Disagreements, int Cancelled, int Unlabelled)
{
    /// <summary>Settles <paramref name="tasks"/> by <paramref name="rule"/>; an image in several tasks counts every annotation of each.</summary>
    public static AnnotationDecisions Decide(IEnumerable<AnnotatedTask> tasks, DisagreementRule rule)
    {
        var labelled = new List<LabelledImage>();
        var disagreements = new List<Disagreement>();
        var unlabelled = 0;
        var list = tasks.ToList();
        foreach (var image in list.GroupBy(t => t.Image, StringComparer.Ordinal))
        {
            var annotations = image.SelectMany(t => t.Annotations).ToList();
            var taskId = image.First().TaskId;
            var classes = annotations.Select(a => a.Label).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (classes.Count == 0)
            {
                // Skipped by every annotator is counted as cancelled, not again as unlabelled.
                unlabelled += image.Sum(t => t.Cancelled) == 0 ? 1 : 0;
            }
            else if ((classes.Count == 1 ? classes[0] : Settle(annotations, rule)) is { } label)
            {
                labelled.Add(new LabelledImage(taskId, image.Key, label));
            }
            else
            {
                disagreements.Add(new Disagreement(taskId, image.Key, annotations));
            }
        }

        return new AnnotationDecisions(labelled, disagreements, list.Sum(t => t.Cancelled), unlabelled);
    }

    private static string? Settle(List<Annotation> annotations, DisagreementRule rule) => rule switch
    {
        DisagreementRule.Majority => annotations.GroupBy(a => a.Label, StringComparer.OrdinalIgnoreCase).OrderByDescending(g => g.Count()).ToList() switch
        {
            [var first, var second, ..] when first.Count() == second.Count() => null,
            [var first, ..] => first.Key,
            _ => null,
        },
        DisagreementRule.Latest when annotations.All(a => a.UpdatedAt is not null) => annotations.MaxBy(a => a.UpdatedAt)!.Label,
        _ => null,
    };
}
