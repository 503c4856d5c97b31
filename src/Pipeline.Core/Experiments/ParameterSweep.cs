using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Core.Experiments;

/// <summary>
/// <c>--set</c> values that name several: <c>train.lr=0.0001,0.001</c> (a list) or <c>train.epochs=range(5,20,5)</c>
/// (start, stop exclusive, step, as Python's). Several swept keys give their Cartesian product, in the order given.
/// </summary>
public static partial class ParameterSweep
{
    /// <summary>Every combination of the values <paramref name="sets"/> name, one list of overrides each.</summary>
    /// <exception cref="PipelineException">A value is not <c>KEY=VALUE</c>, or a range does not parse or is empty.</exception>
    public static IReadOnlyList<IReadOnlyList<ParameterOverride>> Expand(IEnumerable<string> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        IReadOnlyList<IReadOnlyList<ParameterOverride>> combinations = [[]];
        foreach (var set in sets)
        {
            var single = ParameterOverride.Parse(set);
            var values = ValuesOf(single);
            combinations = [.. combinations.SelectMany(c => values.Select(v => (IReadOnlyList<ParameterOverride>)[.. c, new ParameterOverride(single.Key, v)]))];
        }

        return combinations;
    }

    private static List<string> ValuesOf(ParameterOverride set)
    {
        if (Range().Match(set.Value) is { Success: true } range)
        {
            var (start, stop, step) = (Number(range, "start"), Number(range, "stop"), range.Groups["step"].Success ? Number(range, "step") : 1);
            var values = step > 0
                ? Enumerable.Range(0, Math.Max(0, (stop - start + step - 1) / step)).Select(i => start + (i * step)).ToList()
                : throw new PipelineException($"--set {set.Key}={set.Value}: a range's step must be positive");
            return values.Count > 0
                ? [.. values.Select(v => v.ToString(CultureInfo.InvariantCulture))]
                : throw new PipelineException($"--set {set.Key}={set.Value}: the range is empty");
        }

        if (set.Value.StartsWith("range", StringComparison.Ordinal))
        {
            throw new PipelineException($"--set {set.Key}={set.Value}: expected range(START,STOP) or range(START,STOP,STEP) with whole numbers");
        }

        // A YAML list or mapping is one value; commas elsewhere separate values.
        return set.Value.StartsWith('[') || set.Value.StartsWith('{') || !set.Value.Contains(',', StringComparison.Ordinal)
            ? [set.Value]
            : [.. set.Value.Split(',', StringSplitOptions.TrimEntries)];
    }

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^range\(\s*(?<start>-?\d+)\s*,\s*(?<stop>-?\d+)\s*(,\s*(?<step>-?\d+)\s*)?\)$")]
    private static partial Regex Range();
}
