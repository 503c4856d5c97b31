using System.CommandLine;
using System.CommandLine.Invocation;

namespace Pipeline.Programs;

/// <summary>
/// Runs a program's command line the way every pipeline program does: <c>--help</c> and <c>--version</c> exit 0; a
/// missing value, an unknown option or a malformed number is one line naming it and the help to read, exit code 1; an
/// error the program expects of its users (<see cref="ProgramConsole.IsUserError"/>) is its message on one line, exit 1;
/// a cancelled run exits 130, as a shell reports SIGINT; anything else is a bug: its message and trace, exit 2. Every
/// error line starts with <see cref="ErrorPrefix"/>, the prefix Cake's own errors have, so a log reads the same
/// whichever program failed.
/// </summary>
public static class CommandLineProgram
{
    /// <summary>What every error line starts with.</summary>
    public const string ErrorPrefix = "Error: ";

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/>, returning the exit code.</summary>
    /// <param name="root">The program's commands, options and actions.</param>
    /// <param name="args">The command line.</param>
    /// <param name="console">Where output and errors go, and which exceptions are the user's mistakes.</param>
    /// <param name="cancellationToken">Stops the running action.</param>
    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, ProgramConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            var messages = string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')));
            await console.Error.WriteLineAsync($"{ErrorPrefix}{messages} (see {CommandPath(parsed)} --help)").ConfigureAwait(false);
            return ExitCodes.UserError;
        }

        // The program owns Ctrl+C and SIGTERM (a stage process must stop at a safe point, a service drains its
        // requests): no termination timeout that would end the process under it.
        var invocation = new InvocationConfiguration
        {
            Output = console.Output,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync($"{ErrorPrefix}cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (console.IsUserError(e))
        {
            await console.Error.WriteLineAsync($"{ErrorPrefix}{e.Message}").ConfigureAwait(false);
            return ExitCodes.UserError;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not the user's mistake: the trace is what a bug report needs.
            await console.Error.WriteLineAsync($"{ErrorPrefix}{e.Message} (a bug; its trace follows){Environment.NewLine}{e}").ConfigureAwait(false);
            return ExitCodes.InternalError;
        }
    }

    /// <summary>
    /// For a custom parser: records <paramref name="message"/> as the argument's error (shown as the run's one error
    /// line) and returns the default value the parser must still give back.
    /// </summary>
    public static T? Reject<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        ArgumentNullException.ThrowIfNull(result);
        result.AddError(message);
        return default;
    }

    private static string CommandPath(ParseResult parsed)
    {
        var names = new Stack<string>();
        for (var result = (System.CommandLine.Parsing.SymbolResult?)parsed.CommandResult; result is not null; result = result.Parent)
        {
            if (result is System.CommandLine.Parsing.CommandResult command)
            {
                names.Push(command.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
