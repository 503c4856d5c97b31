using System.Text.RegularExpressions;

namespace Pipeline.Models;

/// <summary>
/// Names one model in the store as <c>name:version</c>, BentoML's tag. The version <c>latest</c> (or no version at
/// all) means the version that was saved or imported last.
/// </summary>
/// <param name="Name">The model's name, e.g. <c>churn-classifier</c>.</param>
/// <param name="Version">A stored version, or <see cref="Latest"/>.</param>
public sealed partial record ModelTag(string Name, string Version)
{
    /// <summary>The version word that stands for the newest version of a name.</summary>
    public const string Latest = "latest";

    /// <summary>Whether this tag asks for the newest version rather than a fixed one.</summary>
    public bool IsLatest => Version == Latest;

    /// <summary>
    /// Parses <c>name:version</c>, <c>name</c> (its latest version) or a bare <c>latest</c>, which means
    /// <paramref name="defaultName"/>'s latest version (and is refused when there is no default name).
    /// </summary>
    /// <exception cref="FormatException">The text is not a valid tag.</exception>
    public static ModelTag Parse(string text, string? defaultName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        var tag = parts switch
        {
            [Latest] when defaultName is not null => new ModelTag(defaultName, Latest),
            [Latest] => throw new FormatException($"'{Latest}' alone names no model here (expected name:version or name)"),
            [var name] => new ModelTag(name, Latest),
            [var name, var version] => new ModelTag(name, version),
            _ => throw new FormatException($"'{text}' is not a model tag (expected name:version, name or latest)"),
        };
        if (!IsValidPart(tag.Name) || !IsValidPart(tag.Version))
        {
            throw new FormatException(
                $"'{text}' is not a model tag (name and version are letters, digits, '.', '_' and '-', starting with a letter or digit)");
        }

        return tag;
    }

    /// <summary>Whether <paramref name="part"/> can be a name or version: safe as one folder name on every OS.</summary>
    public static bool IsValidPart(string part) => part.Length is > 0 and <= 100 && PartPattern().IsMatch(part);

    /// <inheritdoc />
    public override string ToString() => $"{Name}:{Version}";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PartPattern();
}
