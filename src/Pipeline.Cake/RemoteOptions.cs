using System.Globalization;
using Cake.Core;
using Pipeline.Core;

namespace Pipeline.Cake;

/// <summary>The command-line options of the remote targets.</summary>
/// <param name="Remote"><c>--remote=NAME</c>: the remote to use; the configured default when null.</param>
/// <param name="Jobs"><c>--jobs=N</c>: objects moved at once; the remote's <c>jobs:</c> or 4 per core when null.</param>
/// <param name="DryRun"><c>--dry-run</c>: <c>RemoteGc</c> only says what it would remove.</param>
/// <param name="Pull"><c>--pull</c>: <c>Repro</c> fetches each stage's missing dependencies and outputs first.</param>
public sealed record RemoteOptions(string? Remote, int? Jobs, bool DryRun, bool Pull)
{
    /// <summary>Reads the options from Cake's arguments.</summary>
    /// <exception cref="PipelineException">An option has a value of the wrong form.</exception>
    public static RemoteOptions From(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RemoteOptions(Argument(context, "remote") is { Length: > 0 } name ? name : null, ParseJobs(Argument(context, "jobs")), Flag(context, "dry-run"), Flag(context, "pull"));
    }

    private static int? ParseJobs(string? text) => text switch
    {
        null => null,
        _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var jobs) && jobs > 0 => jobs,
        _ => throw new PipelineException($"--jobs: '{text}' is not a positive whole number"),
    };

    private static bool Flag(ICakeContext context, string name) => Argument(context, name) is { } value && value != "false";

    private static string? Argument(ICakeContext context, string name) =>
        context.Arguments.HasArgument(name) ? context.Arguments.GetArgument(name) ?? "" : null;
}
