namespace Planets.Serving.Labeling;

/// <summary>
/// The labeling page's folder of images, its export file and the Label Studio editor it serves; bound from the
/// <c>Labeling</c> configuration section (<c>label --images DIR --out FILE --editor DIR</c>). The page is on when
/// <see cref="Images"/> is set.
/// </summary>
public sealed record LabelingOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string Section = "Labeling";

    /// <summary>The folder of images to label (searched recursively for .jpg, .jpeg and .png); null for no labeling page.</summary>
    public string? Images { get; init; }

    /// <summary>The Label Studio JSON export written on every submit; the JSON-MIN export goes beside it (<c>.min.json</c>).</summary>
    public string Export { get; init; } = "labeling/annotations.json";

    /// <summary>The Label Studio editor's built files (<c>js/main.js</c>, <c>css/main.css</c>).</summary>
    public string Editor { get; init; } = "artifacts/label-studio-editor";

    /// <summary>The JSON-MIN export's path: the JSON export's with <c>.min.json</c>.</summary>
    public string MinimalExport => Path.ChangeExtension(Export, null) + ".min.json";

    /// <summary>Fails with a one-line message naming the first invalid option.</summary>
    public void Validate()
    {
        if (Images is null)
        {
            return;
        }

        Require(Directory.Exists(Images), $"Images '{Images}' is not a folder");
        Require(File.Exists(Path.Combine(Editor, "js", "main.js")),
            $"Editor '{Editor}' has no js/main.js: install the Label Studio editor with scripts/setup-labeling.sh (the Label target does)");
        Require(Path.GetExtension(Export) == ".json", $"Export '{Export}' must end in .json");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"{Section}: {message}");
        }
    }
}
