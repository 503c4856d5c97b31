using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Pipeline.Core;
using Pipeline.Core.Experiments;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;
using Pipeline.Reports.Plots;

namespace Pipeline.Reports.Tests;

public sealed partial class PlotsPageTests : IDisposable
{
    // The history's first loss is the epoch count, so each version's rows tell which parameters wrote them.
    private static readonly StageDefinition[] Stages =
    [
        new("evaluate", ScenarioRepo.Shell(
            "mkdir -p evaluation/plots && e=$(sed -n 's/^  epochs: //p' params.yaml) && " +
            "printf '{\"history\": [{\"epoch\": 1, \"loss\": %s}, {\"epoch\": 2, \"loss\": 0.5}]}' $e > evaluation/history.json && " +
            "printf 'actual,predicted\\nMars,Mars\\nMars,Venus\\n\"Moon, Earth\\047s\",Mars\\n' > evaluation/predictions.csv && " +
            "printf 'epochs %s' $e > evaluation/plots/preview.svg"))
        {
            Parameters = ["train"],
            Plots = ["evaluation/plots"],
            DataPlots =
            [
                new("evaluation/history.json", PlotTemplate.Linear) { Title = "Loss", X = "epoch", Y = ["loss"] },
                new("evaluation/predictions.csv", PlotTemplate.Confusion) { X = "predicted", Y = ["actual"] },
            ],
        },
    ];

    private readonly ScenarioRepo repo = new();
    private readonly List<string> warnings = [];

    public PlotsPageTests()
    {
        repo.Git("init", "--quiet", "--initial-branch=main");
        repo.Write(".gitignore", "/evaluation/\n/plots/\n");
    }

    [Fact]
    public async Task PlotsDiff_puts_a_revisions_and_an_experiments_rows_on_the_workspaces_charts()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "baseline", ".gitignore", "params.yaml", "pipeline.lock");
        await RecordExperimentAsync("epochs-20", epochs: 20);
        SetEpochs(10);
        await repo.ReproAsync(stages: Stages);

        var page = await WriteAsync(["main", "epochs-20"]);

        Assert.Equal(["main", "epochs-20", "workspace"], page.Summary.Versions.ToArray());
        Assert.Equal((2, 1), (page.Summary.Charts, page.Summary.Images));
        var loss = page.Specs[0]!;
        Assert.Equal("Loss", (string?)loss["title"]);
        Assert.Equal(
            ["main:1:5", "main:2:0.5", "epochs-20:1:20", "epochs-20:2:0.5", "workspace:1:10", "workspace:2:0.5"],
            Rows(loss).Select(r => $"{r["rev"]}:{r["epoch"]}:{r["loss"]}"));
        Assert.Equal("rev", (string?)loss["encoding"]!["color"]!["field"]);
        var confusion = page.Specs[1]!;
        Assert.Equal("rev", (string?)confusion["facet"]!["column"]!["field"]);
        Assert.Contains(Rows(confusion), r => (string?)r["actual"] == "Moon, Earth's" && (string?)r["rev"] == "workspace");
        Assert.Equal(["Mars", "Moon, Earth's", "Venus"], confusion["spec"]!["encoding"]!["x"]!["scale"]!["domain"]!.AsArray().Select(c => (string?)c));
        Assert.Equal(3, ImageCaptions().Count(page.Html));
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task A_version_without_a_file_in_the_cache_is_left_out_of_its_chart_with_a_note()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "baseline", ".gitignore", "params.yaml", "pipeline.lock");
        Directory.Delete(repo[".pipeline/cache"], recursive: true);

        var page = await WriteAsync(["main"]);

        Assert.Equal(["workspace"], Rows(page.Specs[0]).Select(r => (string?)r["rev"]).Distinct());
        Assert.Contains("main: cache object", page.Html, StringComparison.Ordinal);
        Assert.Contains(warnings, w => w.StartsWith("Plot 'Loss' leaves out main: cache object", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_workspace_file_or_field_is_one_error_naming_it_and_no_page_is_written()
    {
        await repo.ReproAsync(stages: Stages);
        StageDefinition[] misnamed = [Stages[0] with { DataPlots = [new("evaluation/history.json", PlotTemplate.Linear) { X = "epoch", Y = ["val_loss"] }] }];
        StageDefinition[] unwritten = [Stages[0] with { DataPlots = [new("evaluation/scores.csv", PlotTemplate.Scatter) { Y = ["score"] }] }];

        var field = await Assert.ThrowsAsync<PipelineException>(() => WriteAsync([], misnamed));
        var file = await Assert.ThrowsAsync<PipelineException>(() => WriteAsync([], unwritten));

        Assert.Equal("evaluation/history.json: no field 'val_loss' for plot 'evaluation/history.json'; its rows have epoch, loss", field.Message);
        Assert.Equal("evaluation/scores.csv: no such file in the workspace; run the pipeline (Repro) to write it", file.Message);
        Assert.False(Directory.Exists(repo["plots"]));
    }

    [Fact]
    public async Task A_version_that_is_neither_a_revision_nor_an_experiment_is_refused()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "baseline", ".gitignore", "params.yaml", "pipeline.lock");

        var error = await Assert.ThrowsAsync<PipelineException>(() => WriteAsync(["no-such-branch"]));

        Assert.Contains("no-such-branch", error.Message, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task The_page_draws_every_chart_offline_without_a_console_error()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "baseline", ".gitignore", "params.yaml", "pipeline.lock");
        SetEpochs(10);
        await repo.ReproAsync(stages: Stages);
        await WriteAsync(["main"]);

        using var browser = ChromiumFactAttribute.StartBrowser(offline: true);
        browser.Navigate().GoToUrl(new Uri(repo["plots/index.html"]).AbsoluteUri);
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(b => b.FindElement(By.TagName("body")).GetAttribute("data-rendered") is not null || b.FindElement(By.TagName("body")).GetAttribute("data-failed") is not null);

        Assert.Null(browser.FindElement(By.TagName("body")).GetAttribute("data-failed"));
        Assert.Equal("2", browser.FindElement(By.TagName("body")).GetAttribute("data-rendered"));
        // Each chart an SVG: the lines of both versions, the confusion matrices' cells with their counts.
        Assert.Equal(2, browser.FindElements(By.CssSelector(".view svg.marks")).Count);
        Assert.Equal(2, browser.FindElements(By.CssSelector("#chart-0 .mark-line.role-mark path")).Count);
        // Three (true, predicted) pairs in each version, each cell with its count.
        var counts = browser.FindElements(By.CssSelector("#chart-1 .mark-text.role-mark text")).Select(t => t.Text).ToList();
        Assert.Equal(["1", "1", "1", "1", "1", "1"], counts);
        Assert.Contains("Loss", browser.FindElement(By.Id("chart-0")).Text, StringComparison.Ordinal);
        var errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Empty(errors);
    }

    public void Dispose() => repo.Dispose();

    private void SetEpochs(int epochs) => repo.Write("params.yaml", $"prepare:\n  seed: 77\ntrain:\n  epochs: {epochs}\n  lr: 0.0001\n");

    // An experiment as the store records one: its lock file names its outputs, which are in the cache.
    private async Task RecordExperimentAsync(string name, int epochs)
    {
        SetEpochs(epochs);
        await repo.ReproAsync(stages: Stages);
        await using var workspace = await repo.OpenAsync();
        var parameters = ImmutableSortedDictionary<string, string>.Empty.Add("train.epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ExperimentStore.Of(workspace).SaveAsync(
            new ExperimentRecord(name, repo.Git("rev-parse", "HEAD").Trim(), DateTimeOffset.UnixEpoch, ExperimentStatus.Succeeded, parameters, parameters,
                ImmutableSortedDictionary<string, string>.Empty, await File.ReadAllTextAsync(repo["pipeline.lock"]), null),
            CancellationToken.None);
    }

    private async Task<(PlotsPageSummary Summary, string Html, JsonArray Specs)> WriteAsync(IReadOnlyList<string> versions, IReadOnlyList<StageDefinition>? stages = null)
    {
        await using var workspace = await repo.OpenAsync();
        var builder = new PlotsPageBuilder(workspace, new GitRepository(repo.Root), new RecordingLog(warnings));
        var summary = await builder.WriteAsync(stages ?? Stages, versions, repo["plots/index.html"], CancellationToken.None);
        var html = await File.ReadAllTextAsync(summary.Path);
        return (summary, html, JsonNode.Parse(SpecsElement().Match(html).Groups[1].Value)!.AsArray());
    }

    private static IEnumerable<JsonObject> Rows(JsonNode? spec) => spec!["data"]!["values"]!.AsArray().Select(r => r!.AsObject());

    [GeneratedRegex("<script type=\"application/json\" id=\"specs\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex SpecsElement();

    [GeneratedRegex("<figcaption>")]
    private static partial Regex ImageCaptions();
}
