using System.Globalization;
using System.Text.Json;
using Pipeline.Core;

namespace Pipeline.Remotes.Runs;

/// <summary>
/// The environments of an Indexed Job's trials: all pods share one template, so every trial's variables travel in one
/// variable as a JSON array, and the pod of index i (<c>JOB_COMPLETION_INDEX</c>) takes entry i as its own before
/// anything reads it.
/// </summary>
public static class TrialEnvironments
{
    /// <summary>The variable that carries the array.</summary>
    public const string Variable = "PIPELINE_TRIAL_ENVIRONMENTS";

    /// <summary>The variable the job controller sets to the pod's completion index.</summary>
    public const string IndexVariable = "JOB_COMPLETION_INDEX";

    // A single variable may hold at most 128 KiB on Linux (MAX_ARG_STRLEN); the process would not start with more.
    private const int MaximumLength = 120_000;

    /// <summary>The array for <paramref name="trials"/>.</summary>
    /// <exception cref="PipelineException">It would not fit in one variable.</exception>
    public static string ToJson(IReadOnlyList<IReadOnlyDictionary<string, string>> trials)
    {
        var json = JsonSerializer.Serialize(trials);
        return json.Length <= MaximumLength
            ? json
            : throw new PipelineException($"{trials.Count} trials need {ByteSize.Format(json.Length)} of environment, more than one variable holds ({ByteSize.Format(MaximumLength)}); run fewer at once");
    }

    /// <summary>The entry of the trial <paramref name="index"/> names, or null outside a trial (<paramref name="json"/> unset).</summary>
    /// <exception cref="PipelineException">The array is malformed or has no entry for the index.</exception>
    public static IReadOnlyDictionary<string, string>? Select(string? json, string? index)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        List<Dictionary<string, string>>? trials;
        try
        {
            trials = JsonSerializer.Deserialize<List<Dictionary<string, string>>>(json);
        }
        catch (JsonException e)
        {
            throw new PipelineException($"{Variable}: not a JSON array of environments ({e.Message})", e);
        }

        return int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && trials is not null && i < trials.Count
            ? trials[i]
            : throw new PipelineException($"{IndexVariable}={index}: no such trial among the {trials?.Count ?? 0} in {Variable}");
    }
}
