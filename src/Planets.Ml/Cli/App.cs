using Planets.Ml.Commands;

namespace Planets.Ml.Cli;

/// <summary>Dispatches a command line to its command and turns failures into exit codes.</summary>
internal static class App
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a user error (bad arguments, params or data).</summary>
    public const int UserError = 1;

    /// <summary>Exit code of a bug or broken invariant (printed with its stack trace).</summary>
    public const int InternalError = 2;

    /// <summary>Exit code of a cancelled run (as a shell reports SIGINT).</summary>
    public const int Cancelled = 130;

    private const string Usage =
        "usage: Planets.Ml <generate|prepare|train|evaluate> ... [--params params.yaml]\n" +
        "  generate <raw-dir> [--per-class N]\n" +
        "  prepare <raw-dir> <prepared-dir>\n" +
        "  train <prepared-dir> <model-dir> [--store DIR] [--name NAME]\n" +
        "  evaluate <model-dir> <prepared-dir> [--out evaluation] [--store DIR]\n" +
        "  (the model store is --store, else $PIPELINE_MODEL_STORE, else .pipeline/models)";

    /// <summary>Runs the command named by <c>args[0]</c> and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            var command = Resolve(args);
            await command.RunAsync(args[1..], stdout, cancellationToken).ConfigureAwait(false);
            return Success;
        }
        catch (UserErrorException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return UserError;
        }
        catch (Pipeline.Models.ModelStoreException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return UserError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("cancelled: stopped before writing any output").ConfigureAwait(false);
            return Cancelled;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not the user's mistake: keep the full trace, it is what a bug report needs.
            await stderr.WriteLineAsync($"internal error: {ex.Message}{Environment.NewLine}{ex}").ConfigureAwait(false);
            return InternalError;
        }
    }

    private static ICommand Resolve(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            throw new UserErrorException(Usage.Replace("\n", Environment.NewLine, StringComparison.Ordinal));
        }

        return args[0] switch
        {
            "generate" => new GenerateCommand(),
            "prepare" => new PrepareCommand(),
            "train" => new TrainCommand(),
            "evaluate" => new EvaluateCommand(),
            _ => throw new UserErrorException($"unknown command '{args[0]}' (expected generate, prepare, train or evaluate)"),
        };
    }
}
