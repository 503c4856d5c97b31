using Planets.Ml.Cli;

namespace Planets.Ml.Data;

/// <summary>One image file of the raw dataset and its label.</summary>
/// <param name="Path">Path of the file.</param>
/// <param name="Label">Index of its class in the sorted class list.</param>
internal sealed record RawImage(string Path, int Label);

/// <summary>The raw dataset layout <c>&lt;raw&gt;/&lt;Class&gt;/*.jpg|png</c>.</summary>
/// <param name="Classes">Class names, sorted ordinally (the label of a class is its index).</param>
/// <param name="Images">All images, class after class, files sorted ordinally.</param>
internal sealed record RawDataset(IReadOnlyList<string> Classes, IReadOnlyList<RawImage> Images)
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];

    /// <summary>Lists the dataset; fails on a missing folder, no classes or an empty class folder.</summary>
    public static RawDataset Scan(string rawDir)
    {
        if (!Directory.Exists(rawDir))
        {
            throw new UserErrorException($"{rawDir}: raw data folder not found");
        }

        // Ordinal sort: labels must not depend on the machine's culture.
        var classDirs = Directory.GetDirectories(rawDir).Order(StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
        {
            throw new UserErrorException($"{rawDir}: no class folders found (expected {rawDir}/<Class>/*.jpg)");
        }

        var images = new List<RawImage>();
        for (var label = 0; label < classDirs.Length; label++)
        {
            var files = ImagesIn(classDirs[label]).ToArray();
            if (files.Length == 0)
            {
                throw new UserErrorException($"{classDirs[label]}: class folder has no .jpg, .jpeg or .png images");
            }

            images.AddRange(files.Select(f => new RawImage(f, label)));
        }

        return new RawDataset(classDirs.Select(d => Path.GetFileName(d)).ToArray(), images);
    }

    /// <summary>
    /// Lists extra images in the same layout, labelled by <paramref name="classes"/> (the raw dataset's): a class
    /// folder may be missing or empty, but a folder naming no known class is refused.
    /// </summary>
    public static RawDataset ScanExtra(string dir, IReadOnlyList<string> classes)
    {
        if (!Directory.Exists(dir))
        {
            throw new UserErrorException($"{dir}: extra training data folder not found");
        }

        var unknown = Directory.GetDirectories(dir).Select(d => Path.GetFileName(d)).Where(name => !classes.Contains(name, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new UserErrorException($"{dir}: folders {string.Join(", ", unknown)} are no class of the raw data ({string.Join(", ", classes)})");
        }

        var images = classes.SelectMany((name, label) => ImagesIn(Path.Combine(dir, name)).Select(f => new RawImage(f, label))).ToList();
        return new RawDataset(classes, images);
    }

    private static IEnumerable<string> ImagesIn(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder).Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)
            : [];
}
