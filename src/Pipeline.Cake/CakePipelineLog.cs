using Cake.Core.Diagnostics;
using Pipeline.Core.Execution;

namespace Pipeline.Cake;

/// <summary>Writes the engine's messages to Cake's log, so verbosity flags apply to them.</summary>
/// <param name="log">Cake's log.</param>
public sealed class CakePipelineLog(ICakeLog log) : IPipelineLog
{
    /// <inheritdoc />
    public void Information(string message) => log.Information(Escape(message));

    /// <inheritdoc />
    public void Warning(string message) => log.Warning(Escape(message));

    /// <inheritdoc />
    public void Verbose(string message) => log.Verbose(Escape(message));

    // Cake formats messages with string.Format, so braces in paths or commands must be doubled.
    private static string Escape(string message) =>
        message.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
}
