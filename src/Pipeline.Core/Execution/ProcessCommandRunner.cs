using System.ComponentModel;
using CliWrap;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Execution;

/// <summary>
/// Runs commands through CliWrap. By default their output passes through byte for byte, so progress bars that redraw
/// a line still work; the child learns through <c>PIPELINE_INTERACTIVE=1</c> that a person is watching a terminal,
/// and through <c>COLUMNS</c> how wide it is (its own output is a pipe, which has no width).
/// Commands running at once (<see cref="ToConsoleLines"/>) print whole lines, each prefixed with whose it is.
/// </summary>
public sealed class ProcessCommandRunner : ICommandRunner
{
    private readonly PipeTarget output;
    private readonly PipeTarget error;
    private readonly bool passedThrough;

    /// <param name="output">Where the command's standard output goes.</param>
    /// <param name="error">Where the command's standard error goes.</param>
    public ProcessCommandRunner(Stream output, Stream error)
        : this(PipeTarget.ToStream(output, autoFlush: true), PipeTarget.ToStream(error, autoFlush: true), passedThrough: true)
    {
    }

    private ProcessCommandRunner(PipeTarget output, PipeTarget error, bool passedThrough)
    {
        (this.output, this.error, this.passedThrough) = (output, error, passedThrough);
    }

    /// <summary>Passes output to this process's own console.</summary>
    public static ProcessCommandRunner ToConsole() => new(Console.OpenStandardOutput(), Console.OpenStandardError());

    /// <summary>
    /// Prints each line of output on this process's console as <c>[name] line</c>, whole, so that the output of
    /// commands running at once interleaves by line and stays readable; the child is told no one watches a terminal,
    /// so it prints progress as lines instead of redrawing one.
    /// </summary>
    public static ProcessCommandRunner ToConsoleLines(string name) =>
        new(PipeTarget.ToDelegate(line => Console.Out.WriteLine($"[{name}] {line}")), PipeTarget.ToDelegate(line => Console.Error.WriteLine($"[{name}] {line}")), passedThrough: false);

    private static CliWrap.Builders.EnvironmentVariablesBuilder Interactive(CliWrap.Builders.EnvironmentVariablesBuilder environment, bool interactive) =>
        interactive && Console.WindowWidth > 0
            ? environment.Set("PIPELINE_INTERACTIVE", "1").Set("COLUMNS", Console.WindowWidth.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : environment.Set("PIPELINE_INTERACTIVE", interactive ? "1" : "0");

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandLine command, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var interactive = passedThrough && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null;
        var process = Cli.Wrap(command.Executable)
            .WithArguments(command.Arguments)
            .WithWorkingDirectory(workingDirectory)
            .WithEnvironmentVariables(env => Interactive(env.Set(environment.ToDictionary(v => v.Key, string? (v) => v.Value)), interactive))
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(output)
            .WithStandardErrorPipe(error);
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
