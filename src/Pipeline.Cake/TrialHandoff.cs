using System.Text;
using System.Text.Json;
using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Storage;

namespace Pipeline.Cake;

/// <summary>A stage run an experiment hands over to be run with the others (one Indexed Job): what its worker gets as environment.</summary>
/// <param name="Experiment">The experiment's name.</param>
/// <param name="Environment">The variables the worker runs with (the stage run description among them; never a credential).</param>
public sealed record TrialRequest(string Experiment, IReadOnlyDictionary<string, string> Environment);

/// <summary>How a handed-over stage run ended.</summary>
/// <param name="ExitCode">The worker's exit code; -1 when it never ended (a deadline passed first).</param>
/// <param name="Message">What the worker reported (its result as JSON), or null.</param>
/// <param name="Log">The worker's log.</param>
public sealed record TrialResult(int ExitCode, string? Message, string Log);

/// <summary>The trials <c>ExpRun --on=PLACE</c> runs together.</summary>
/// <param name="Trials">One request per experiment whose stage must run, in order.</param>
/// <param name="Parallelism">How many run at once.</param>
/// <param name="RetriesPerTrial">How often a failed trial runs again before it counts as failed.</param>
public sealed record TrialBatch(IReadOnlyList<TrialRequest> Trials, int Parallelism, int RetriesPerTrial);

/// <summary>
/// The exchange between <c>ExpRun --on=PLACE</c> and the Cake run of each of its experiments, through files in one
/// folder: the experiment's run writes its stage's <see cref="TrialRequest"/> and waits; ExpRun runs every request
/// together and writes each <see cref="TrialResult"/> back. Both are written whole by rename, so neither side reads half
/// of one. A <see cref="RemoteStageTarget"/> hands its stage over, instead of running it, when its run has one.
/// </summary>
/// <param name="folder">The exchange's folder.</param>
/// <param name="experiment">The experiment this run is.</param>
public sealed class TrialHandoff(string folder, string experiment)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>How often a side looks for the other's file.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The command-line options that give a run its exchange.</summary>
    public static IReadOnlyList<string> Arguments(string folder, string experiment) => [$"--trial-handoff={folder}", $"--trial-name={experiment}"];

    /// <summary>The exchange of this Cake run, or null when it was not started by <c>ExpRun --on</c>.</summary>
    public static TrialHandoff? From(ICakeContext context)
    {
        var options = new TargetOptions(context);
        return options.Text("trial-handoff") is { } folder
            ? new TrialHandoff(folder, options.Text("trial-name") ?? throw new PipelineException("--trial-handoff needs --trial-name"))
            : null;
    }

    /// <summary>Hands <paramref name="environment"/> over and waits for the result.</summary>
    public async Task<TrialResult> RunAsync(IReadOnlyDictionary<string, string> environment, IPipelineLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        await WriteAsync(RequestPath(folder, experiment), new TrialRequest(experiment, environment), cancellationToken);
        log.Information($"Handed the stage run of experiment '{experiment}' to ExpRun; waiting for its trial");
        while (true)
        {
            if (await ReadAsync<TrialResult>(ResultPath(folder, experiment), cancellationToken) is { } result)
            {
                return result;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>The request <paramref name="experiment"/>'s run wrote into <paramref name="folder"/>, or null while there is none.</summary>
    public static Task<TrialRequest?> RequestAsync(string folder, string experiment, CancellationToken cancellationToken) =>
        ReadAsync<TrialRequest>(RequestPath(folder, experiment), cancellationToken);

    /// <summary>Gives <paramref name="experiment"/>'s run its result.</summary>
    public static Task AnswerAsync(string folder, string experiment, TrialResult result, CancellationToken cancellationToken) =>
        WriteAsync(ResultPath(folder, experiment), result, cancellationToken);

    private static string RequestPath(string folder, string experiment) => Path.Combine(folder, $"{experiment}.request.json");

    private static string ResultPath(string folder, string experiment) => Path.Combine(folder, $"{experiment}.result.json");

    private static Task WriteAsync<T>(string path, T value, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return AtomicFile.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, Json)), cancellationToken);
    }

    private static async Task<T?> ReadAsync<T>(string path, CancellationToken cancellationToken)
        where T : class =>
        File.Exists(path) ? JsonSerializer.Deserialize<T>(await File.ReadAllBytesAsync(path, cancellationToken), Json) : null;
}
