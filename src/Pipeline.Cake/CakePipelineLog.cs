using Cake.Core.Diagnostics;
using Pipeline.Core.Execution;

namespace Pipeline.Cake;

/// <summary>Writes the engine's messages to Cake's log, so verbosity flags apply to them.</summary>
/// <param name="log">Cake's log.</param>
public sealed class CakePipelineLog(ICakeLog log) : IPipelineLog
{
    /// <inheritdoc />
    public void Information(string message) => log.Information(Verbatim, message);

    /// <inheritdoc />
    public void Warning(string message) => log.Warning(Verbatim, message);

    /// <inheritdoc />
    public void Verbose(string message) => log.Verbose(Verbatim, message);

    // Cake parses a message as a format: passed as the one argument, braces in paths, commands or pod logs print as
    // they are (doubling them printed them doubled: Cake keeps "{{" when there are no arguments).
    private const string Verbatim = "{0}";
}
