using System.Globalization;
using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Cache;

namespace Pipeline.Cake;

/// <summary>
/// The command-line options of the pipeline targets (such as <c>--stage</c>, <c>--force</c>, <c>--rev</c>) and the
/// <c>[Pipeline]</c> section of <c>cake.config</c>.
/// </summary>
/// <param name="Stage">Run only this stage and its upstream.</param>
/// <param name="Force">Run stages even when nothing changed.</param>
/// <param name="Settings">The engine settings.</param>
public sealed record PipelineOptions(string? Stage, bool Force, PipelineSettings Settings)
{
    /// <summary><c>--force-stage=NAME</c>: run this one stage even when nothing changed.</summary>
    public string? ForceStage { get; init; }

    /// <summary><c>--downstream=NAME</c>: this stage and every stage downstream of it (and what they need, when stale).</summary>
    public string? Downstream { get; init; }

    /// <summary><c>--dry-run</c>: say what would happen and why, and change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary><c>--path=PATH</c>: the file or folder <c>Add</c> tracks.</summary>
    public string? TrackPath { get; init; }

    /// <summary><c>--format=…</c>: <c>text</c> (the default), <c>md</c> for tables, <c>mermaid</c> for the graph.</summary>
    public string Format { get; init; } = "text";

    /// <summary><c>--out=FILE</c>: write the report to a file instead of the terminal.</summary>
    public string? OutputFile { get; init; }

    /// <summary><c>--rev=REF</c>: the git revision diffs compare with; <c>HEAD</c> by default.</summary>
    public string Revision { get; init; } = "HEAD";

    /// <summary><c>--all</c>: diffs list unchanged values too.</summary>
    public bool ShowAll { get; init; }

    /// <summary>
    /// <c>--all-branches</c>, <c>--all-tags</c>, <c>--all-commits</c>: <c>Gc</c> and <c>RemoteGc</c> keep what every
    /// branch, tag or commit refers to as well as what the workspace does.
    /// </summary>
    public ReferenceScope Scope { get; init; } = new();

    /// <summary>Reads the options from Cake's arguments and configuration.</summary>
    /// <exception cref="PipelineException">An option has a value of the wrong form.</exception>
    public static PipelineOptions From(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new PipelineOptions(Argument(context, "stage"), Flag(context, "force"), ReadSettings(context))
        {
            ForceStage = Argument(context, "force-stage"),
            Downstream = Argument(context, "downstream"),
            DryRun = Flag(context, "dry-run"),
            TrackPath = Argument(context, "path"),
            Format = Argument(context, "format") ?? "text",
            OutputFile = Argument(context, "out"),
            Revision = Argument(context, "rev") is { Length: > 0 } revision ? revision : "HEAD",
            ShowAll = Flag(context, "all"),
            Scope = new ReferenceScope(Flag(context, "all-branches"), Flag(context, "all-tags"), Flag(context, "all-commits")),
        };
    }

    /// <summary>The <c>--format</c> value, checked against what a target accepts.</summary>
    /// <exception cref="PipelineException">The value is not one of <paramref name="accepted"/>.</exception>
    public string FormatOf(params string[] accepted) =>
        accepted.Contains(Format, StringComparer.Ordinal)
            ? Format
            : throw new PipelineException($"--format: '{Format}' is not one of {string.Join(", ", accepted)}");

    private static PipelineSettings ReadSettings(ICakeContext context)
    {
        var settings = new PipelineSettings();
        var cacheType = context.Configuration.GetValue("Pipeline_CacheType");
        if (!string.IsNullOrWhiteSpace(cacheType))
        {
            settings = settings with { LinkTypes = [.. cacheType.Split(',', StringSplitOptions.TrimEntries).Select(ParseLinkType)] };
        }

        var timeout = Argument(context, "lock-timeout") ?? context.Configuration.GetValue("Pipeline_LockTimeout");
        if (!string.IsNullOrWhiteSpace(timeout))
        {
            settings = settings with { LockTimeout = TimeSpan.FromSeconds(ParseSeconds(timeout)) };
        }

        return settings;
    }

    private static bool Flag(ICakeContext context, string name) => Argument(context, name) is { } value && value != "false";

    private static string? Argument(ICakeContext context, string name) =>
        context.Arguments.HasArgument(name) ? context.Arguments.GetArgument(name) ?? "" : null;

    private static LinkType ParseLinkType(string text) =>
        Enum.TryParse<LinkType>(text, ignoreCase: true, out var type)
            ? type
            : throw new PipelineException($"cake.config: [Pipeline] CacheType: '{text}' is not one of reflink, hardlink, copy");

    private static double ParseSeconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? seconds
            : throw new PipelineException($"--lock-timeout: '{text}' is not a number of seconds");
}
