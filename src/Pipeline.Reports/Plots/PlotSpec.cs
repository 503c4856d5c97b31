using System.Text.Json.Nodes;
using Pipeline.Core.Stages;

namespace Pipeline.Reports.Plots;

/// <summary>The rows of one plot's data file in one version (a revision, an experiment, the workspace).</summary>
/// <param name="Version">The version's name, as the chart's legend shows it.</param>
/// <param name="Rows">Its rows.</param>
internal sealed record PlotSeries(string Version, IReadOnlyList<JsonObject> Rows);

/// <summary>
/// Writes a <see cref="DataPlot"/> as a Vega-Lite specification with its data inline, every version's rows on one
/// chart: lines and points coloured by version when there are several (dashes then tell the y fields apart, as the
/// PNG history's validation lines are dashed), confusion matrices side by side, one per version.
/// </summary>
internal static class PlotSpec
{
    /// <summary>The field each row gets naming its version.</summary>
    public const string VersionField = "rev";

    private const string FoldedName = "field";
    private const string FoldedValue = "value";

    // Okabe-Ito, the palette of the PNG plots, blue and vermillion first as there: distinct for every kind of colour vision.
    private static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"];

    /// <summary>The specification of <paramref name="plot"/> over <paramref name="series"/>.</summary>
    public static JsonObject Of(DataPlot plot, IReadOnlyList<PlotSeries> series)
    {
        var rows = new JsonArray([.. series.SelectMany(s => s.Rows.Select(row => Tagged(row, s.Version)))]);
        var all = series.SelectMany(s => s.Rows).ToList();
        var spec = plot.Template is PlotTemplate.Confusion or PlotTemplate.ConfusionNormalized
            ? Confusion(plot, series.Count > 1, Classes(plot, all))
            : Lines(plot, series.Count > 1, XScale(plot, all));
        spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
        spec["title"] = plot.DisplayTitle;
        spec["data"] = new JsonObject { ["values"] = rows };
        spec["config"] = new JsonObject
        {
            ["range"] = new JsonObject { ["category"] = new JsonArray([.. Palette.Select(c => JsonValue.Create(c))]) },
            ["view"] = new JsonObject { ["stroke"] = null },
        };
        return spec;
    }

    private static JsonObject Tagged(JsonObject row, string version)
    {
        var copy = (JsonObject)row.DeepClone();
        copy[VersionField] = version;
        return copy;
    }

    // Numbers on a quantitative axis, whole numbers (epochs, steps) without fractional ticks; anything else in order.
    private static JsonObject XScale(DataPlot plot, IReadOnlyList<JsonObject> rows)
    {
        var numbers = rows.Select(row => row[plot.X] is JsonValue value && value.TryGetValue<double>(out var number) ? number : (double?)null).ToList();
        var x = new JsonObject { ["field"] = Field(plot.X), ["title"] = plot.XLabel ?? plot.X };
        if (numbers.Any(n => n is null))
        {
            x["type"] = "ordinal";
            return x;
        }

        x["type"] = "quantitative";
        if (numbers.All(n => n == Math.Floor(n!.Value)))
        {
            x["axis"] = new JsonObject { ["tickMinStep"] = 1, ["format"] = "d" };
        }

        return x;
    }

    // Every class either axis names, on both axes: a class never predicted still has its column.
    private static JsonArray Classes(DataPlot plot, IReadOnlyList<JsonObject> rows) =>
        new([.. rows.SelectMany(row => new[] { row[plot.X], row[plot.Y[0]] }).OfType<JsonValue>().Select(v => v.ToString())
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(c => JsonValue.Create(c))]);

    private static JsonObject Lines(DataPlot plot, bool versions, JsonObject x)
    {
        var mark = plot.Template == PlotTemplate.Scatter
            ? new JsonObject { ["type"] = "point", ["filled"] = true, ["tooltip"] = true }
            : new JsonObject { ["type"] = "line", ["point"] = true, ["tooltip"] = true };
        var encoding = new JsonObject
        {
            ["x"] = x,
            ["y"] = new JsonObject { ["field"] = FoldedValue, ["type"] = "quantitative", ["title"] = plot.YLabel ?? string.Join(", ", plot.Y), ["scale"] = new JsonObject { ["zero"] = false } },
            ["color"] = new JsonObject { ["field"] = versions ? VersionField : FoldedName, ["type"] = "nominal", ["title"] = versions ? "version" : null },
        };
        if (versions && plot.Y.Length > 1)
        {
            encoding[plot.Template == PlotTemplate.Scatter ? "shape" : "strokeDash"] = new JsonObject { ["field"] = FoldedName, ["type"] = "nominal", ["title"] = null };
        }

        return new JsonObject
        {
            ["width"] = "container",
            ["height"] = 300,
            ["transform"] = new JsonArray(new JsonObject
            {
                ["fold"] = new JsonArray([.. plot.Y.Select(y => JsonValue.Create(Field(y)))]),
                ["as"] = new JsonArray(FoldedName, FoldedValue),
            }),
            ["mark"] = mark,
            ["encoding"] = encoding,
        };
    }

    // Counts (or row shares) of each (true, predicted) pair, a heatmap with each cell's number written in it.
    private static JsonObject Confusion(DataPlot plot, bool versions, JsonArray classes)
    {
        var normalized = plot.Template == PlotTemplate.ConfusionNormalized;
        var actual = plot.Y[0];
        var value = normalized ? "share" : "count";
        var transforms = new JsonArray(
            new JsonObject
            {
                ["aggregate"] = new JsonArray(new JsonObject { ["op"] = "count", ["as"] = "count" }),
                ["groupby"] = new JsonArray(VersionField, Field(plot.X), Field(actual)),
            },
            new JsonObject
            {
                ["joinaggregate"] = new JsonArray(new JsonObject { ["op"] = "sum", ["field"] = "count", ["as"] = "support" }),
                ["groupby"] = new JsonArray(VersionField, Field(actual)),
            },
            new JsonObject { ["calculate"] = "datum.count / datum.support", ["as"] = "share" });
        var cell = new JsonObject
        {
            ["layer"] = new JsonArray(
                new JsonObject
                {
                    ["mark"] = new JsonObject { ["type"] = "rect", ["tooltip"] = true },
                    ["encoding"] = new JsonObject
                    {
                        ["color"] = new JsonObject { ["field"] = value, ["type"] = "quantitative", ["scale"] = new JsonObject { ["scheme"] = "blues" }, ["legend"] = null },
                    },
                },
                new JsonObject
                {
                    ["mark"] = new JsonObject { ["type"] = "text", ["fontSize"] = 11 },
                    ["encoding"] = new JsonObject
                    {
                        ["text"] = new JsonObject { ["field"] = value, ["type"] = "quantitative", ["format"] = normalized ? ".2f" : "d" },
                        ["color"] = new JsonObject
                        {
                            ["condition"] = new JsonObject { ["test"] = "datum.share > 0.5", ["value"] = "white" },
                            ["value"] = "#222222",
                        },
                    },
                }),
            ["encoding"] = new JsonObject
            {
                ["x"] = new JsonObject { ["field"] = Field(plot.X), ["type"] = "nominal", ["title"] = plot.XLabel ?? plot.X, ["scale"] = new JsonObject { ["domain"] = classes.DeepClone() } },
                ["y"] = new JsonObject { ["field"] = Field(actual), ["type"] = "nominal", ["title"] = plot.YLabel ?? actual, ["scale"] = new JsonObject { ["domain"] = classes } },
            },
            ["width"] = new JsonObject { ["step"] = 36 },
            ["height"] = new JsonObject { ["step"] = 28 },
        };
        if (!versions)
        {
            cell["transform"] = transforms;
            return cell;
        }

        return new JsonObject
        {
            ["transform"] = transforms,
            ["facet"] = new JsonObject { ["column"] = new JsonObject { ["field"] = VersionField, ["type"] = "nominal", ["title"] = null, ["sort"] = null } },
            ["spec"] = cell,
        };
    }

    // Vega-Lite reads '.' and brackets in a field name as nested access; a data file's column names are flat.
    private static string Field(string name) =>
        name.Replace(@"\", @"\\", StringComparison.Ordinal).Replace(".", @"\.", StringComparison.Ordinal)
            .Replace("[", @"\[", StringComparison.Ordinal).Replace("]", @"\]", StringComparison.Ordinal);
}
