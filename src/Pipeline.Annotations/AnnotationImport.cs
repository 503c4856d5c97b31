namespace Pipeline.Annotations;

/// <summary>What to import and where.</summary>
public sealed record AnnotationImportSettings
{
    /// <summary>The Label Studio export (JSON or JSON-MIN).</summary>
    public required string ExportFile { get; init; }

    /// <summary>The dataset folder the images are filed in, one sub-folder per class.</summary>
    public required string Destination { get; init; }

    /// <summary>The classes an annotation may choose (matched ignoring case; filed under this spelling).</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>The export's image field and control, when it has several.</summary>
    public ExportFields Fields { get; init; } = new();

    /// <summary>What to do with an image whose annotators disagree.</summary>
    public DisagreementRule OnDisagreement { get; init; } = DisagreementRule.Skip;

    /// <summary>Where the images are; <see cref="ImageLocations.ExportFolder"/> defaults to the export's folder.</summary>
    public ImageLocations? Locations { get; init; }
}

/// <summary>What an import did.</summary>
/// <param name="Added">Files added, relative to the destination (<c>Class/name</c>).</param>
/// <param name="Relabelled">Files moved to another class, as <c>Old/name -> New/name</c>.</param>
/// <param name="Unchanged">Images already filed as the export says.</param>
/// <param name="Decisions">How the export's annotations were settled.</param>
public sealed record AnnotationImportResult(IReadOnlyList<string> Added, IReadOnlyList<string> Relabelled, int Unchanged, AnnotationDecisions Decisions)
{
    /// <summary>Whether the destination changed.</summary>
    public bool Changed => Added.Count > 0 || Relabelled.Count > 0;
}

/// <summary>
/// Files the labelled images of an export under their classes. Everything is read and checked before the first
/// file is written, so an unknown class, a missing image or a malformed export changes nothing; each file is
/// written whole (temporary name, then rename), and importing the same export again adds nothing.
/// </summary>
public static class AnnotationImport
{
    /// <summary>Imports <see cref="AnnotationImportSettings.ExportFile"/> into <see cref="AnnotationImportSettings.Destination"/>.</summary>
    /// <exception cref="AnnotationException">Nothing was written: the message names the file, task or image and what was expected.</exception>
    public static async Task<AnnotationImportResult> RunAsync(AnnotationImportSettings settings, HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tasks = await LabelStudioExport.ReadAsync(settings.ExportFile, settings.Fields, cancellationToken).ConfigureAwait(false);
        var decisions = AnnotationDecisions.Decide(tasks, settings.OnDisagreement);
        var classes = ClassesOf(settings, decisions.Labelled);
        var locations = settings.Locations ?? new ImageLocations { ExportFolder = Path.GetDirectoryName(Path.GetFullPath(settings.ExportFile))! };
        var source = new ImageSource(locations, http);
        var files = await ReadAllAsync(source, decisions.Labelled, cancellationToken).ConfigureAwait(false);
        var placed = files.Select((file, i) => new PlacedImage(classes[i], file)).ToList();
        var plan = new FilingPlan(settings.Destination, placed);
        await plan.WriteAsync(cancellationToken).ConfigureAwait(false);
        return new AnnotationImportResult(plan.Added, plan.Relabelled, plan.Unchanged, decisions);
    }

    // The class folder of each image, in the configured spelling; every unknown class is named at once.
    private static string[] ClassesOf(AnnotationImportSettings settings, IReadOnlyList<LabelledImage> images)
    {
        var known = settings.Classes.ToDictionary(c => c, StringComparer.OrdinalIgnoreCase);
        var unknown = images.Where(i => !known.ContainsKey(i.Label)).ToList();
        return unknown.Count == 0
            ? [.. images.Select(i => known[i.Label])]
            : throw new AnnotationException($"{settings.ExportFile}: unknown class {string.Join(", ", unknown.Select(i => $"'{i.Label}' (task {i.TaskId})").Take(5))}"
                + $"{(unknown.Count > 5 ? $" and {unknown.Count - 5} more" : "")}; the classes are {string.Join(", ", settings.Classes)}");
    }

    private static async Task<ImageFile[]> ReadAllAsync(ImageSource source, IReadOnlyList<LabelledImage> images, CancellationToken cancellationToken)
    {
        var files = new ImageFile[images.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, images.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, ct) => files[i] = await source.ReadAsync(images[i].Image, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return files;
    }
}
