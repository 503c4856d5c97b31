using System.Collections.Immutable;
using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Pipeline.Monitoring;
using Pipeline.Reports.Monitoring;

namespace Pipeline.Reports.Tests;

/// <summary>The drift report: the verdicts for programs, and a page that draws each column's distributions offline.</summary>
public sealed class DriftReportTests : IDisposable
{
    private readonly TempFolder folder = new();

    [Fact]
    public async Task The_json_report_holds_the_verdict_each_columns_test_the_period_and_the_models()
    {
        var (reference, current) = (Records(0, 0), Records(1, 0.2));
        var result = DriftAnalysis.Compare(reference, current, new DriftSettings());

        var files = await DriftReportWriter.WriteAsync(folder.Path, result, Day, reference, current, CancellationToken.None);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(files.Json));
        var root = json.RootElement;
        Assert.True(root.GetProperty("drift").GetBoolean());
        Assert.Equal(result.Summary(), root.GetProperty("summary").GetString());
        Assert.Contains(">=", root.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-12-01T00:00:00+00:00", root.GetProperty("since").GetString());
        Assert.Equal("2026-12-01T01:00:00+00:00", root.GetProperty("first_record").GetString());
        Assert.Equal(["classifier:2"], root.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["confidence", "entropy", "image_mean", "predicted_label"], root.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("column").GetString()));
        var mean = root.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "image_mean");
        Assert.Equal(("wasserstein", 0.3, true), (mean.GetProperty("test").GetString(), mean.GetProperty("threshold").GetDouble(), mean.GetProperty("drifted").GetBoolean()));
        Assert.Equal("classifier", root.GetProperty("embedding").GetProperty("test").GetString());
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp*"));
    }

    [ChromiumFact]
    public async Task The_page_draws_each_columns_distributions_offline_without_a_console_error()
    {
        var (reference, current) = (Records(0, 0), Records(1, 0.2));
        var result = DriftAnalysis.Compare(reference, current, new DriftSettings());
        var files = await DriftReportWriter.WriteAsync(folder.Path, result, null, reference, current, CancellationToken.None);

        using var browser = ChromiumFactAttribute.StartBrowser(offline: true);
        browser.Navigate().GoToUrl(new Uri(files.Html).AbsoluteUri);
        var body = By.TagName("body");
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(b => b.FindElement(body).GetAttribute("data-rendered") is not null || b.FindElement(body).GetAttribute("data-failed") is not null);

        Assert.Null(browser.FindElement(body).GetAttribute("data-failed"));
        Assert.Equal("4", browser.FindElement(body).GetAttribute("data-rendered"));
        // Three densities (reference and current areas each) and the label shares' bars of both sides.
        Assert.Equal(2, browser.FindElements(By.CssSelector("#chart-2 .mark-area.role-mark path")).Count);
        Assert.NotEmpty(browser.FindElements(By.CssSelector("#chart-3 .mark-rect.role-mark path")));
        Assert.StartsWith("drift: ", browser.FindElement(By.CssSelector(".verdict.drift")).Text, StringComparison.Ordinal);
        Assert.Equal(5, browser.FindElements(By.CssSelector("tbody tr")).Count);
        var errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Empty(errors);
    }

    public void Dispose() => folder.Dispose();

    private static readonly DateTimeOffset Day = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    // Records around fixed means; a shift moves the image's mean by four of its standard deviations.
    private static List<PredictionRecord> Records(int seed, double shift)
    {
        var random = new Random(seed);
        string[] labels = ["Earth", "Moon", "Mars"];
        return [.. Enumerable.Range(0, 200).Select(i => new PredictionRecord
        {
            Time = seed == 0 ? null : Day.AddHours(1).AddMinutes(i),
            Model = seed == 0 ? "classifier:1" : "classifier:2",
            PredictedLabel = labels[random.Next(labels.Length)],
            Confidence = 0.6 + (0.3 * random.NextDouble()),
            Entropy = 0.4 * random.NextDouble(),
            Features = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("image_mean", 0.3 + (0.05 * random.NextDouble()) + shift)]),
            Embedding = [.. Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() + (shift * 10)))],
        })];
    }
}
