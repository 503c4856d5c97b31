using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Monitoring;
using Pipeline.Reports.Plots;
using Pipeline.Storage;

namespace Pipeline.Reports.Monitoring;

/// <summary>The files a drift report was written to.</summary>
/// <param name="Html">The page: the verdict, each column's test, the distributions side by side.</param>
/// <param name="Json">The same verdicts for programs (an alert, a dashboard).</param>
public sealed record DriftReportFiles(string Html, string Json);

/// <summary>
/// Writes a drift report as Evidently's data drift preset presents one: <c>report.json</c> with every column's test,
/// score, threshold and verdict, and <c>report.html</c>, a self-contained page (the plots page's machinery: Vega-Lite
/// inline, opens offline) with the verdict, the table, and each tested column's reference and current distributions
/// on one chart. Both are written whole or not at all.
/// </summary>
public static class DriftReportWriter
{
    /// <summary>The JSON report's file name.</summary>
    public const string JsonFile = "report.json";

    /// <summary>The HTML report's file name.</summary>
    public const string HtmlFile = "report.html";

    // A chart's density estimate needs no more rows than this per side; more only makes the page heavier.
    private const int MaxChartRows = 5000;
    private const string Reference = "reference";
    private const string Current = "current";

    /// <summary>Writes both files into <paramref name="folder"/>.</summary>
    /// <param name="folder">Where the files go (created when missing).</param>
    /// <param name="result">The drift tests' result.</param>
    /// <param name="since">Where the current records start; null for all of them.</param>
    /// <param name="reference">The reference records the result compared.</param>
    /// <param name="current">The current records the result compared.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="Core.PipelineException">This build carries no Vega scripts for the page.</exception>
    public static async Task<DriftReportFiles> WriteAsync(
        string folder, DriftResult result, DateTimeOffset? since, IReadOnlyList<PredictionRecord> reference, IReadOnlyList<PredictionRecord> current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var scripts = await VegaScripts.LoadAsync(cancellationToken);
        Directory.CreateDirectory(folder);
        var files = new DriftReportFiles(Path.Combine(folder, HtmlFile), Path.Combine(folder, JsonFile));
        var period = Period(since, current);
        var charts = Charts(result, reference, current);
        var html = PlotsHtml.Render(new PageText("Drift", [period], Lead(result), "No column could be tested."), charts, [], scripts);
        await AtomicFile.WriteAllBytesAsync(files.Json, Encoding.UTF8.GetBytes(Json(result, since, current).ToJsonString(Indented) + "\n"), cancellationToken);
        await AtomicFile.WriteAllBytesAsync(files.Html, Encoding.UTF8.GetBytes(html), cancellationToken);
        return files;
    }

    // Read by programs and people, never embedded in a page: '<' and '>' of the summary stay as they are.
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Period(DateTimeOffset? since, IReadOnlyList<PredictionRecord> current)
    {
        var times = current.Select(r => r.Time).OfType<DateTimeOffset>().ToList();
        var span = times.Count == 0 ? "" : $", {Time(times.Min())} to {Time(times.Max())}";
        return $"{current.Count} predictions{(since is { } start ? $" since {Time(start)}" : "")}{span}";
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static JsonObject Json(DriftResult result, DateTimeOffset? since, IReadOnlyList<PredictionRecord> current)
    {
        var times = current.Select(r => r.Time).OfType<DateTimeOffset>().ToList();
        return new JsonObject
        {
            ["drift"] = result.AnyDrift,
            ["dataset_drift"] = result.DatasetDrift,
            ["summary"] = result.Summary(),
            ["drifted_share"] = result.DriftedShare,
            ["drift_share_threshold"] = result.Settings.DriftShare,
            ["since"] = since,
            ["first_record"] = times.Count == 0 ? null : times.Min(),
            ["last_record"] = times.Count == 0 ? null : times.Max(),
            ["reference_rows"] = result.ReferenceRows,
            ["current_rows"] = result.CurrentRows,
            ["models"] = new JsonArray([.. current.Select(r => r.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(m => JsonValue.Create(m))]),
            ["columns"] = new JsonArray([.. result.Columns.Select(Column)]),
            ["embedding"] = result.Embedding is null ? null : Column(result.Embedding),
            ["skipped"] = new JsonArray([.. result.Skipped.Select(s => JsonValue.Create(s))]),
        };
    }

    private static JsonObject Column(ColumnDrift column) => new()
    {
        ["column"] = column.Column,
        ["test"] = column.Test,
        ["score"] = column.Score,
        ["threshold"] = column.Threshold,
        ["drifted"] = column.Drifted,
    };

    private static string Lead(DriftResult result)
    {
        var html = new StringBuilder();
        html.Append($"<p class=\"verdict{(result.AnyDrift ? " drift" : "")}\">{PlotsHtml.Encode(result.Summary())}</p>\n");
        html.Append("<table><thead><tr><th>Column</th><th>Test</th><th>Score</th><th>Threshold</th><th>Verdict</th></tr></thead><tbody>\n");
        foreach (var column in result.Embedding is null ? result.Columns : result.Columns.Add(result.Embedding))
        {
            html.Append(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td>{PlotsHtml.Encode(column.Column)}</td><td>{TestName(column.Test)}</td><td class=\"number\">{column.Score:0.####}</td><td class=\"number\">{column.Threshold:0.##}</td>"));
            html.Append(column.Drifted ? "<td class=\"drifted\">drifted</td></tr>\n" : "<td>no drift</td></tr>\n");
        }

        html.Append("</tbody></table>\n");
        if (!result.Skipped.IsEmpty)
        {
            html.Append("<ul class=\"notes\">").AppendJoin("", result.Skipped.Select(s => $"<li>{PlotsHtml.Encode(s)}</li>")).Append("</ul>\n");
        }

        return html.ToString();
    }

    private static string TestName(string test) => test switch
    {
        "wasserstein" => "Wasserstein distance (normed)",
        "jensenshannon" => "Jensen-Shannon distance",
        "classifier" => "domain classifier ROC AUC",
        _ => PlotsHtml.Encode(test),
    };

    private static List<ChartView> Charts(DriftResult result, IReadOnlyList<PredictionRecord> reference, IReadOnlyList<PredictionRecord> current)
    {
        var charts = new List<ChartView>();
        foreach (var column in result.Columns)
        {
            var title = string.Create(CultureInfo.InvariantCulture, $"{column.Column}: {TestName(column.Test)} {column.Score:0.###} ({(column.Drifted ? "drifted" : "no drift")})");
            charts.Add(column.Column == "predicted_label"
                ? new ChartView(title, "predicted label shares", LabelShares(title, reference, current), [])
                : new ChartView(title, $"{column.Column} distribution", Density(title, column.Column, reference, current), []));
        }

        return charts;
    }

    private static JsonObject Density(string title, string column, IReadOnlyList<PredictionRecord> reference, IReadOnlyList<PredictionRecord> current)
    {
        var rows = Sample(reference).Select(r => (Reference, Value(r, column))).Concat(Sample(current).Select(r => (Current, Value(r, column))))
            .Where(row => row.Item2 is not null)
            .Select(row => new JsonObject { ["side"] = row.Item1, ["value"] = row.Item2 });
        return Spec(title, rows, new JsonObject
        {
            ["transform"] = new JsonArray(new JsonObject { ["density"] = "value", ["groupby"] = new JsonArray("side"), ["as"] = new JsonArray("value", "density") }),
            ["mark"] = new JsonObject { ["type"] = "area", ["opacity"] = 0.5 },
            ["encoding"] = new JsonObject
            {
                ["x"] = new JsonObject { ["field"] = "value", ["type"] = "quantitative", ["title"] = column },
                ["y"] = new JsonObject { ["field"] = "density", ["type"] = "quantitative", ["stack"] = null },
                ["color"] = Sides(),
            },
        });
    }

    private static JsonObject LabelShares(string title, IReadOnlyList<PredictionRecord> reference, IReadOnlyList<PredictionRecord> current)
    {
        var rows = Shares(Reference, reference).Concat(Shares(Current, current));
        return Spec(title, rows, new JsonObject
        {
            ["mark"] = "bar",
            ["encoding"] = new JsonObject
            {
                ["x"] = new JsonObject { ["field"] = "label", ["type"] = "nominal", ["title"] = "predicted label" },
                ["xOffset"] = new JsonObject { ["field"] = "side" },
                ["y"] = new JsonObject { ["field"] = "share", ["type"] = "quantitative", ["axis"] = new JsonObject { ["format"] = "%" } },
                ["color"] = Sides(),
            },
        });

        static IEnumerable<JsonObject> Shares(string side, IReadOnlyList<PredictionRecord> records) =>
            records.GroupBy(r => r.PredictedLabel, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new JsonObject { ["side"] = side, ["label"] = g.Key, ["share"] = (double)g.Count() / records.Count });
    }

    private static JsonObject Spec(string title, IEnumerable<JsonObject> rows, JsonObject body)
    {
        body["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
        body["title"] = title;
        body["width"] = "container";
        body["data"] = new JsonObject { ["values"] = new JsonArray([.. rows]) };
        body["config"] = new JsonObject { ["view"] = new JsonObject { ["stroke"] = null } };
        return body;
    }

    // The reference in the Okabe-Ito blue, the current records in its vermillion, as the plots page colours two versions.
    private static JsonObject Sides() => new()
    {
        ["field"] = "side",
        ["type"] = "nominal",
        ["title"] = null,
        ["scale"] = new JsonObject { ["domain"] = new JsonArray(Reference, Current), ["range"] = new JsonArray("#0072B2", "#D55E00") },
    };

    private static double? Value(PredictionRecord record, string column) => column switch
    {
        "confidence" => record.Confidence,
        "entropy" => record.Entropy,
        _ => record.Features.TryGetValue(column, out var value) ? value : null,
    };

    // Every k-th record, so a long period's chart stays light and the same records give the same page.
    private static IEnumerable<PredictionRecord> Sample(IReadOnlyList<PredictionRecord> records)
    {
        var step = Math.Max(1, (records.Count + MaxChartRows - 1) / MaxChartRows);
        for (var i = 0; i < records.Count; i += step)
        {
            yield return records[i];
        }
    }
}
