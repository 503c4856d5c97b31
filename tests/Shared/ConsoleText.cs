using System.Text.RegularExpressions;

namespace Pipeline.Testing;

/// <summary>Console output as a person reads it: Cake colours its log even when redirected.</summary>
internal static partial class ConsoleText
{
    /// <summary>The text without ANSI colour sequences.</summary>
    public static string Plain(string text) => AnsiEscape().Replace(text, "");

    [GeneratedRegex("\u001b\\[[0-9;]*m")]
    private static partial Regex AnsiEscape();
}
