using System.ComponentModel;
using CliWrap;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Execution;

/// <summary>
/// Runs commands through CliWrap, passing their output through byte for byte, so progress bars that redraw a line
/// still work; the child learns through <c>PIPELINE_INTERACTIVE=1</c> that a person is watching a terminal.
/// </summary>
/// <param name="output">Where the command's standard output goes.</param>
/// <param name="error">Where the command's standard error goes.</param>
public sealed class ProcessCommandRunner(Stream output, Stream error) : ICommandRunner
{
    /// <summary>Passes output to this process's own console.</summary>
    public static ProcessCommandRunner ToConsole() => new(Console.OpenStandardOutput(), Console.OpenStandardError());

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandLine command, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var interactive = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null;
        var process = Cli.Wrap(command.Executable)
            .WithArguments(command.Arguments)
            .WithWorkingDirectory(workingDirectory)
            .WithEnvironmentVariables(env => env.Set(environment.ToDictionary(v => v.Key, string? (v) => v.Value)).Set("PIPELINE_INTERACTIVE", interactive ? "1" : "0"))
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStream(output, autoFlush: true))
            .WithStandardErrorPipe(PipeTarget.ToStream(error, autoFlush: true));
        try
        {
            return (await process.ExecuteAsync(cancellationToken)).ExitCode;
        }
        catch (Win32Exception e)
        {
            throw new PipelineException($"cannot start '{command.Executable}': {e.Message}", e);
        }
    }
}
