using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Cache;
using Pipeline.Storage.Hashing;

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

    /// <summary><c>--jobs=N</c>: <c>Repro</c> runs up to N independent stages at once (1, one after another, by default).</summary>
    public int Jobs { get; init; } = 1;

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
        var options = new TargetOptions(context);
        return new PipelineOptions(options.Text("stage"), options.Flag("force"), ReadSettings(options))
        {
            ForceStage = options.Text("force-stage"),
            Downstream = options.Text("downstream"),
            DryRun = options.Flag("dry-run"),
            Jobs = options.Number("jobs", null, 1, minimum: 1),
            TrackPath = options.Text("path"),
            Format = options.Text("format", null, "text")!,
            OutputFile = options.Text("out"),
            Revision = options.Text("rev", null, "HEAD")!,
            ShowAll = options.Flag("all"),
            Scope = new ReferenceScope(options.Flag("all-branches"), options.Flag("all-tags"), options.Flag("all-commits")),
        };
    }

    /// <summary>The <c>--format</c> value, checked against what a target accepts.</summary>
    /// <exception cref="PipelineException">The value is not one of <paramref name="accepted"/>.</exception>
    public string FormatOf(params string[] accepted) =>
        accepted.Contains(Format, StringComparer.Ordinal)
            ? Format
            : throw new PipelineException($"--format: '{Format}' is not one of {string.Join(", ", accepted)}");

    private static PipelineSettings ReadSettings(TargetOptions options)
    {
        var settings = new PipelineSettings();
        if (options.Text("cache-type", "Pipeline_CacheType") is { } cacheType)
        {
            settings = settings with { LinkTypes = [.. cacheType.Split(',', StringSplitOptions.TrimEntries).Select(ParseLinkType)] };
        }

        if (options.Text("hash-algorithm", "Pipeline_HashAlgorithm") is { } algorithm)
        {
            settings = settings with { HashAlgorithm = ParseHashAlgorithm(algorithm) };
        }

        return options.Seconds("lock-timeout", "Pipeline_LockTimeout") is { } timeout ? settings with { LockTimeout = timeout } : settings;
    }

    private static ContentHashAlgorithm ParseHashAlgorithm(string name)
    {
        try
        {
            return ContentHashAlgorithm.FromName(name);
        }
        catch (FormatException e)
        {
            throw new PipelineException($"HashAlgorithm: {e.Message} (--hash-algorithm, or [Pipeline] HashAlgorithm in cake.config)", e);
        }
    }

    private static LinkType ParseLinkType(string text) =>
        Enum.TryParse<LinkType>(text, ignoreCase: true, out var type)
            ? type
            : throw new PipelineException($"CacheType: '{text}' is not one of reflink, hardlink, copy (--cache-type, or [Pipeline] CacheType in cake.config)");
}
