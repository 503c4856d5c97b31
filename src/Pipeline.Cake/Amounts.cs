using System.Globalization;
using Pipeline.Core.Maintenance;

namespace Pipeline.Cake;

/// <summary>Counts and sizes as the targets' messages write them.</summary>
internal static class Amounts
{
    /// <summary><c>1 file</c>, <c>3 files</c>; <paramref name="many"/> for irregular plurals.</summary>
    public static string Count(int count, string one, string? many = null) => count == 1 ? $"1 {one}" : $"{count} {many ?? one + "s"}";

    /// <summary>A size in bytes, KiB, MiB or GiB, whichever reads best.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0 'KiB'", CultureInfo.InvariantCulture),
        < 1024L * 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("0.0 'MiB'", CultureInfo.InvariantCulture),
        _ => (bytes / (1024.0 * 1024 * 1024)).ToString("0.00 'GiB'", CultureInfo.InvariantCulture),
    };

    /// <summary>Who refers to what a garbage collection keeps: <c>the workspace</c> or <c>the workspace and 3 git commits</c>.</summary>
    public static string Referrers(ReferenceScope scope, int revisionsRead) =>
        scope.ReadsGit ? $"the workspace and {Count(revisionsRead, "git commit")}" : "the workspace";
}
