using System.Globalization;
using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Cache;

namespace Pipeline.Cake;

/// <summary>
/// The command-line options of the pipeline targets (<c>--stage</c>, <c>--force</c>, <c>--lock-timeout</c>) and the
/// <c>[Pipeline]</c> section of <c>cake.config</c>.
/// </summary>
/// <param name="Stage">Run only this stage and its upstream.</param>
/// <param name="Force">Run stages even when nothing changed.</param>
/// <param name="Settings">The engine settings.</param>
public sealed record PipelineOptions(string? Stage, bool Force, PipelineSettings Settings)
{
    /// <summary>Reads the options from Cake's arguments and configuration.</summary>
    /// <exception cref="PipelineException">An option has a value of the wrong form.</exception>
    public static PipelineOptions From(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
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

        var force = Argument(context, "force") is { } value && value != "false";
        return new PipelineOptions(Argument(context, "stage"), force, settings);
    }

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
