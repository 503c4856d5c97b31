using System.Globalization;

namespace Pipeline.Core.Diffs;

/// <summary>One value compared between a git revision and the workspace.</summary>
/// <param name="Path">The file the value is in.</param>
/// <param name="Key">The dotted key.</param>
/// <param name="Old">The value at the revision; <c>null</c> when it was not there.</param>
/// <param name="New">The value in the workspace; <c>null</c> when it is not there.</param>
public sealed record DiffRow(string Path, string Key, string? Old, string? New)
{
    /// <summary>Whether the value differs.</summary>
    public bool IsChanged => Old != New;

    /// <summary><c>new - old</c> when both are numbers (with a sign, so a drop is seen at a glance), else empty.</summary>
    public string Change => TryNumber(Old, out var old) && TryNumber(New, out var now) ? FormatChange(now - old) : "";

    private static bool TryNumber(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string FormatChange(double change)
    {
        // G6 hides the float noise of a subtraction (0.19630000000000003) without hiding real small changes.
        var text = change.ToString("G6", CultureInfo.InvariantCulture);
        return change > 0 ? "+" + text : text;
    }
}
