using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.Reports.Plots;

/// <summary>One chart of the page: a data plot's specification and what could not be drawn of it.</summary>
/// <param name="Title">The chart's title.</param>
/// <param name="Source">The data file.</param>
/// <param name="Spec">Its Vega-Lite specification, data inline.</param>
/// <param name="Notes">Versions left out, and why.</param>
internal sealed record ChartView(string Title, string Source, JsonObject Spec, IReadOnlyList<string> Notes);

/// <summary>One image plot in each version that has it.</summary>
/// <param name="Name">The image's repository path.</param>
/// <param name="Versions">Each version's image as a data URI, or null where that version has none.</param>
internal sealed record ImageView(string Name, IReadOnlyList<(string Version, string? DataUri)> Versions);

/// <summary>What a page says around its charts.</summary>
/// <param name="Title">The heading, and the start of the browser's title.</param>
/// <param name="Versions">What the page shows (versions compared, a period), in bold under the heading.</param>
/// <param name="LeadHtml">Markup before the charts, already encoded; empty for none.</param>
/// <param name="Empty">What the page says when it has no chart and no image.</param>
internal sealed record PageText(string Title, IReadOnlyList<string> Versions, string LeadHtml, string Empty);

/// <summary>
/// Writes a chart page (the plots page, the drift report): one self-contained HTML file (the Vega scripts, the data
/// and the images inline) that opens offline, from a CI artifact or a file system, and fetches nothing.
/// </summary>
internal static class PlotsHtml
{
    /// <summary>The page of <paramref name="charts"/> and <paramref name="images"/>, under <paramref name="text"/>.</summary>
    public static string Render(PageText text, IReadOnlyList<ChartView> charts, IReadOnlyList<ImageView> images, IReadOnlyList<string> scripts)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append($"<title>{Encode(text.Title)}: {Encode(string.Join(" vs. ", text.Versions))}</title>\n");
        html.Append(Style);
        foreach (var script in scripts)
        {
            // "</script" inside a script would end the element early; "<\/" is the same text to JavaScript.
            html.Append("<script>").Append(script.Replace("</script", @"<\/script", StringComparison.OrdinalIgnoreCase)).Append("</script>\n");
        }

        html.Append($"</head>\n<body>\n<header><h1>{Encode(text.Title)}</h1><p>");
        html.Append(string.Join(" vs. ", text.Versions.Select(v => $"<b>{Encode(v)}</b>"))).Append("</p></header>\n<main>\n").Append(text.LeadHtml);
        AppendCharts(html, charts);
        AppendImages(html, images);
        if (charts.Count == 0 && images.Count == 0)
        {
            html.Append($"<p class=\"empty\">{Encode(text.Empty)}</p>\n");
        }

        html.Append("</main>\n");
        // JsonNode's default encoder writes '<', '>' and '&' as \u escapes: the data cannot close the element.
        html.Append("<script type=\"application/json\" id=\"specs\">").Append(new JsonArray([.. charts.Select(c => c.Spec.DeepClone())]).ToJsonString()).Append("</script>\n");
        html.Append(Embed);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendCharts(StringBuilder html, IReadOnlyList<ChartView> charts)
    {
        for (var i = 0; i < charts.Count; i++)
        {
            var chart = charts[i];
            // The chart draws its own title (an exported SVG keeps it); the section names the file it draws.
            html.Append($"<section class=\"chart\" aria-label=\"{Encode(chart.Title)}\"><p class=\"source\">{Encode(chart.Source)}</p>");
            html.Append($"<div class=\"view\" id=\"chart-{i}\"></div>");
            AppendNotes(html, chart.Notes);
            html.Append("</section>\n");
        }
    }

    private static void AppendImages(StringBuilder html, IReadOnlyList<ImageView> images)
    {
        foreach (var image in images)
        {
            html.Append($"<section class=\"image\"><h2>{Encode(image.Name)}</h2><div class=\"row\">");
            foreach (var (version, uri) in image.Versions)
            {
                html.Append("<figure>")
                    .Append(uri is null ? "<p class=\"missing\">(none)</p>" : $"<img alt=\"{Encode(image.Name)} in {Encode(version)}\" src=\"{uri}\">")
                    .Append($"<figcaption>{Encode(version)}</figcaption></figure>");
            }

            html.Append("</div></section>\n");
        }
    }

    private static void AppendNotes(StringBuilder html, IReadOnlyList<string> notes)
    {
        if (notes.Count > 0)
        {
            html.Append("<ul class=\"notes\">").AppendJoin("", notes.Select(n => $"<li>{Encode(n)}</li>")).Append("</ul>");
        }
    }

    /// <summary><paramref name="text"/> as HTML text.</summary>
    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        <style>
        body { font-family: system-ui, sans-serif; color: #222; margin: 0 auto; max-width: 1100px; padding: 0 1.5rem 3rem; }
        h1 { font-size: 1.6rem; margin: 1.5rem 0 0.2rem; } h2 { font-size: 1.15rem; margin: 0 0 0.2rem; }
        section { margin: 2rem 0; } .source { color: #666; font-family: ui-monospace, monospace; font-size: 0.85rem; margin: 0 0 0.6rem; }
        .view { width: 100%; } .notes { color: #8a4b00; font-size: 0.9rem; }
        .row { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; flex: 1 1 0; min-width: 280px; } figure img { width: 100%; border: 1px solid #ddd; }
        figcaption { text-align: center; font-weight: 600; margin-top: 0.3rem; } .missing { color: #666; }
        .verdict { font-size: 1.1rem; padding: 0.6rem 0.9rem; border-left: 0.35rem solid #009E73; background: #eef7f3; }
        .verdict.drift { border-color: #D55E00; background: #fbefe8; }
        table { border-collapse: collapse; margin: 1rem 0; } th, td { padding: 0.3rem 0.8rem; border-bottom: 1px solid #ddd; text-align: left; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; } .drifted { color: #B34700; font-weight: 600; }
        </style>

        """;

    // Export stays (SVG or PNG, made in the browser); the editor and source views would send the data to a website.
    private const string Embed = """
        <script>
        const specs = JSON.parse(document.getElementById('specs').textContent);
        const options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
        Promise.all(specs.map((spec, i) => vegaEmbed('#chart-' + i, spec, options)))
          .then(() => { document.body.dataset.rendered = String(specs.length); })
          .catch(error => { document.body.dataset.failed = String(error); console.error(error); });
        </script>

        """;
}
