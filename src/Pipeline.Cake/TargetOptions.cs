using System.Globalization;
using Cake.Core;
using Pipeline.Core;

namespace Pipeline.Cake;

/// <summary>
/// Reads a target's options the one way every target does: <c>--name=value</c> on the command line, else the key of
/// <c>cake.config</c> (<c>[Section] Key</c>, given as <c>Section_Key</c>), else the documented default. An empty value
/// (<c>--registry=$UNSET</c>) counts as not given. A flag is on for <c>--name</c> or <c>--name=true</c>, off for
/// <c>--name=false</c> or when absent; anything else is an error naming the option.
/// </summary>
/// <param name="context">The run's Cake context.</param>
public sealed class TargetOptions(ICakeContext context)
{
    /// <summary>Whether the flag <c>--<paramref name="name"/></c> is on.</summary>
    /// <exception cref="PipelineException">Its value is not true or false.</exception>
    public bool Flag(string name) => Given(name) switch
    {
        null => false,
        { Length: 0 } => true,
        var value when bool.TryParse(value, out var on) => on,
        var value => throw new PipelineException($"--{name}: '{value}' is not true or false"),
    };

    /// <summary>The text of <c>--<paramref name="name"/></c>, else of <paramref name="configKey"/>, else <paramref name="fallback"/>.</summary>
    public string? Text(string name, string? configKey = null, string? fallback = null) =>
        NonEmpty(Given(name)) ?? (configKey is null ? null : NonEmpty(context.Configuration.GetValue(configKey))) ?? fallback;

    /// <summary>A whole number of at least <paramref name="minimum"/>, read as <see cref="Text"/> is.</summary>
    /// <exception cref="PipelineException">The value is not such a number.</exception>
    public int Number(string name, string? configKey, int fallback, int minimum = 0) => Text(name, configKey) switch
    {
        null => fallback,
        var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum => value,
        var text => throw new PipelineException($"--{name}: '{text}' is not a whole number of at least {minimum}"),
    };

    /// <summary>A number of seconds, at least 0, read as <see cref="Text"/> is.</summary>
    /// <exception cref="PipelineException">The value is not such a number.</exception>
    public TimeSpan? Seconds(string name, string? configKey) => Text(name, configKey) switch
    {
        null => null,
        var text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 => TimeSpan.FromSeconds(seconds),
        var text => throw new PipelineException($"--{name}: '{text}' is not a number of seconds"),
    };

    /// <summary>
    /// A point in time, read as <see cref="Text"/> is: a period before <paramref name="now"/> (<c>90m</c>, <c>24h</c>,
    /// <c>7d</c>) or an ISO 8601 date or time (<c>2026-12-01</c>, <c>2026-12-01T06:00:00Z</c>; UTC unless it says).
    /// </summary>
    /// <exception cref="PipelineException">The value is neither.</exception>
    public DateTimeOffset? Time(string name, DateTimeOffset now) => Text(name) switch
    {
        null => null,
        var text when text.Length > 1 && text[^1] is 'm' or 'h' or 'd'
            && double.TryParse(text[..^1], NumberStyles.None | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) =>
            now - (text[^1] switch { 'm' => TimeSpan.FromMinutes(amount), 'h' => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) }),
        var text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) => time,
        var text => throw new PipelineException($"--{name}: '{text}' is neither a period such as 90m, 24h or 7d nor an ISO 8601 time such as 2026-12-01T06:00:00Z"),
    };

    /// <summary>One of <paramref name="choices"/>, read as <see cref="Text"/> is.</summary>
    /// <exception cref="PipelineException">The value is not one of them.</exception>
    public string Choice(string name, string fallback, params string[] choices)
    {
        var value = Text(name, null, fallback)!;
        return choices.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new PipelineException($"--{name}: '{value}' is not one of {string.Join(", ", choices)}");
    }

    private string? Given(string name) =>
        context.Arguments.HasArgument(name) ? context.Arguments.GetArgument(name) ?? string.Empty : null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
