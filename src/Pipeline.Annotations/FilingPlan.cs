namespace Pipeline.Annotations;

/// <summary>An image and the class folder it goes to.</summary>
/// <param name="Class">The class folder's name.</param>
/// <param name="File">The image.</param>
internal sealed record PlacedImage(string Class, ImageFile File);

/// <summary>
/// The changes that file images under a destination folder: new files, files moved to another class, files
/// already in place. Conflicts (two different images under one name in one class) are found
/// before anything is written.
/// </summary>
internal sealed class FilingPlan
{
    private readonly string _destination;
    private readonly List<PlacedImage> _writes = [];
    private readonly List<string> _retired = [];

    public FilingPlan(string destination, IReadOnlyList<PlacedImage> images)
    {
        _destination = destination;
        var existing = Existing(destination);
        // One pass over the export: a name and class shared by two different images is a clash, the same image twice is one.
        foreach (var same in images.GroupBy(i => (i.Class, i.File.FileName)))
        {
            if (same.Any(other => !other.File.Content.AsSpan().SequenceEqual(same.First().File.Content)))
            {
                throw new AnnotationException($"{same.Key.Class}/{same.Key.FileName}: two different images of the export have this name and class; rename one");
            }

            Plan(same.First(), existing);
        }
    }

    /// <summary>Files added, as <c>Class/name</c>.</summary>
    public List<string> Added { get; } = [];

    /// <summary>Files moved to another class, as <c>Old/name -> New/name</c>.</summary>
    public List<string> Relabelled { get; } = [];

    /// <summary>Images already where they belong.</summary>
    public int Unchanged { get; private set; }

    /// <summary>Writes the new files (each whole, by rename), then removes the ones moved away.</summary>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        foreach (var image in _writes)
        {
            var target = Path.Combine(_destination, image.Class, image.File.FileName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var temporary = $"{target}.{Guid.NewGuid():N}.tmp";
            try
            {
                await File.WriteAllBytesAsync(temporary, image.File.Content, cancellationToken).ConfigureAwait(false);
                File.Move(temporary, target);
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        foreach (var old in _retired)
        {
            File.Delete(old);
            if (Path.GetDirectoryName(old) is { } folder && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
    }

    private void Plan(PlacedImage image, ILookup<string, string> existing)
    {
        var name = image.File.FileName;
        var target = Path.Combine(_destination, image.Class, name);
        if (File.Exists(target))
        {
            Unchanged += SameContent(target, image.File.Content) ? 1
                : throw new AnnotationException($"{target}: already holds another image with this name; rename the new one or remove the old one");
            return;
        }

        _writes.Add(image);
        var moved = existing[name].FirstOrDefault(path => SameContent(path, image.File.Content));
        if (moved is not null)
        {
            _retired.Add(moved);
            Relabelled.Add($"{Path.GetFileName(Path.GetDirectoryName(moved))}/{name} -> {image.Class}/{name}");
        }
        else
        {
            Added.Add($"{image.Class}/{name}");
        }
    }

    private static ILookup<string, string> Existing(string destination) =>
        (Directory.Exists(destination) ? Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories) : [])
            .ToLookup(path => Path.GetFileName(path), StringComparer.Ordinal);

    private static bool SameContent(string path, byte[] content) =>
        new FileInfo(path).Length == content.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(content);
}
