using Pipeline.Core;
using Pipeline.Core.Maintenance;

namespace Pipeline.Cake;

/// <summary>Counts and sizes as the targets' messages write them.</summary>
internal static class Amounts
{
    /// <summary><c>1 file</c>, <c>3 files</c>; <paramref name="many"/> for irregular plurals.</summary>
    public static string Count(int count, string one, string? many = null) => count == 1 ? $"1 {one}" : $"{count} {many ?? one + "s"}";

    /// <summary>A size, in the pipeline's one unit system (<see cref="ByteSize"/>).</summary>
    public static string Bytes(long bytes) => ByteSize.Format(bytes);

    /// <summary>Who refers to what a garbage collection keeps: <c>the workspace</c> or <c>the workspace and 3 git commits</c>.</summary>
    public static string Referrers(ReferenceScope scope, int revisionsRead) =>
        scope.ReadsGit ? $"the workspace and {Count(revisionsRead, "git commit")}" : "the workspace";
}
