using System.Globalization;
using Pipeline.Core.Diffs;

namespace Pipeline.Core.Experiments;

/// <summary>
/// The experiments side by side, as <c>dvc exp show</c>: name, base commit, time, status, then the parameters that
/// differ between them (all with <c>all</c>) and every metric.
/// </summary>
public static class ExperimentTable
{
    /// <summary>
    /// What <c>ExpShow</c> prints: every record whole as JSON, or the table (<see cref="Of"/>) as aligned text,
    /// Markdown or CSV; a hint to run one when there are none.
    /// </summary>
    /// <exception cref="PipelineException"><paramref name="format"/> is not one of <see cref="DiffTable.FormatNames"/>, or <paramref name="sortBy"/> names no column.</exception>
    public static string Show(IReadOnlyList<ExperimentRecord> records, string format, bool all, string? sortBy = null, bool descending = false)
    {
        ArgumentNullException.ThrowIfNull(records);
        var table = DiffTable.FormatNamed(format);
        if (table == TableFormat.Json)
        {
            return ExperimentStore.ToJson(records) + "\n";
        }

        if (records.Count == 0)
        {
            return "No experiments recorded; run one with --target=Exp --set=KEY=VALUE.\n";
        }

        var (header, rows) = Of(records, all, sortBy, descending);
        return DiffTable.Format(header, rows, table);
    }

    /// <summary>The header and one row per experiment, sorted by <paramref name="sortBy"/> (a column's name: numbers as numbers, missing values last) when given.</summary>
    /// <exception cref="PipelineException"><paramref name="sortBy"/> names no column.</exception>
    public static (IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) Of(
        IReadOnlyList<ExperimentRecord> records, bool all, string? sortBy = null, bool descending = false)
    {
        ArgumentNullException.ThrowIfNull(records);
        var parameters = records.SelectMany(r => r.Parameters.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(key => all || records.Select(r => r.Parameters.GetValueOrDefault(key)).Distinct().Count() > 1 || records.Any(r => r.Overrides.ContainsKey(key)))
            .ToList();
        var metrics = records.SelectMany(r => r.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<string> header = ["Experiment", "Base", "Created", "Status", .. parameters, .. metrics];
        var rows = records.Select(r => (IReadOnlyList<string>)
        [
            r.Name,
            r.BaseCommit[..Math.Min(7, r.BaseCommit.Length)],
            r.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            r.Status.ToString().ToLowerInvariant(),
            .. parameters.Select(p => r.Parameters.GetValueOrDefault(p, "-")),
            .. metrics.Select(m => r.Metrics.GetValueOrDefault(m, "-")),
        ]).ToList();
        if (sortBy is null)
        {
            return (header, rows);
        }

        var column = header.ToList().IndexOf(sortBy);
        if (column < 0)
        {
            throw new PipelineException($"--sort-by {sortBy}: no such column (there are {string.Join(", ", header)})");
        }

        var sorted = rows.OrderBy(r => r[column] == "-").ThenBy(r => SortKey(r[column]), Comparer<(double, string)>.Default).ToList();
        return (header, descending ? [.. sorted.Where(r => r[column] != "-").Reverse(), .. sorted.Where(r => r[column] == "-")] : sorted);
    }

    // Numbers compare as numbers, anything else as text after them.
    private static (double, string) SortKey(string cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? (number, "") : (double.MaxValue, cell);
}
