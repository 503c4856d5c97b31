using System.Collections.Immutable;
using Pipeline.Core.Experiments;
using Pipeline.Core.Diffs;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;

namespace Pipeline.Reports.Tests;

public sealed class ReportTests : IDisposable
{
    // The "plot" is the epoch count written as a file, so the base and the workspace images differ when it does.
    private static readonly StageDefinition[] Stages =
    [
        new("evaluate", ScenarioRepo.Shell(
            "mkdir -p evaluation/plots && grep epochs params.yaml > evaluation/plots/history.png && " +
            "printf '{\"val_acc\": %s}' $(cat acc.txt) > evaluation/metrics.json"))
        {
            Dependencies = ["acc.txt"], Parameters = ["train"], Metrics = ["evaluation/metrics.json"], Plots = ["evaluation/plots"],
        },
    ];

    private readonly ScenarioRepo repo = new();
    private readonly List<string> warnings = [];

    public ReportTests()
    {
        repo.Git("init", "--quiet");
        repo.Write(".gitignore", "/evaluation/plots/\n/report/\n");
        repo.Write("acc.txt", "0.4891");
    }

    [Fact]
    public async Task The_report_compares_params_metrics_and_plots_of_the_workspace_with_main()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "baseline", ".gitignore", "acc.txt", "params.yaml", "pipeline.lock", "evaluation/metrics.json");
        repo.Git("checkout", "--quiet", "-b", "experiment");
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 10\n  lr: 0.0001\n");
        repo.Write("acc.txt", "0.6854");
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "ten epochs", "acc.txt", "params.yaml", "pipeline.lock", "evaluation/metrics.json");

        var report = await BuildAsync("main");
        var markdown = MarkdownReport.Render(report, image => "https://example.test/" + image);

        Assert.Equal(new DiffRow("params.yaml", "train.epochs", "5", "10"), Assert.Single(report.Parameters));
        Assert.Equal(new DiffRow("evaluation/metrics.json", "val_acc", "0.4891", "0.6854"), Assert.Single(report.Metrics));
        var plot = Assert.Single(report.Plots);
        Assert.Equal(new PlotPair("evaluation/plots/history.png", "base/evaluation/plots/history.png", "workspace/evaluation/plots/history.png"), plot);
        Assert.Contains("epochs: 5", await File.ReadAllTextAsync(repo[Path.Combine("report", plot.Base!)]), StringComparison.Ordinal);
        Assert.Contains("epochs: 10", await File.ReadAllTextAsync(repo[Path.Combine("report", plot.Workspace!)]), StringComparison.Ordinal);
        var head = repo.Git("rev-parse", "--short=7", "HEAD").Trim();
        Assert.StartsWith($"{MarkdownReport.Marker}\n# Experiment Report ({head})\n\n## Params workflow vs. main\n", markdown, StringComparison.Ordinal);
        Assert.Contains("| params.yaml | train.epochs | 5 | 10 | +5 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| evaluation/metrics.json | val_acc | 0.4891 | 0.6854 | +0.1963 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| ![history.png](https://example.test/base/evaluation/plots/history.png) | ![history.png](https://example.test/workspace/evaluation/plots/history.png) |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_lists_the_experiments_run_on_the_branch_and_not_those_of_main()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "baseline", ".gitignore", "acc.txt", "params.yaml", "pipeline.lock", "evaluation/metrics.json");
        var main = repo.Git("rev-parse", "HEAD").Trim();
        repo.Git("checkout", "--quiet", "-b", "experiment");
        repo.Write("acc.txt", "0.6854");
        TestGit.Commit(repo.Root, "better data", "acc.txt");
        var branch = repo.Git("rev-parse", "HEAD").Trim();
        await using (var workspace = await repo.OpenAsync())
        {
            var store = ExperimentStore.Of(workspace);
            await store.SaveAsync(Experiment("on-main", main, "5", "0.4891"), CancellationToken.None);
            await store.SaveAsync(Experiment("lr-small", branch, "7", "0.7001"), CancellationToken.None);
            await store.SaveAsync(Experiment("lr-large", branch, "9", "0.6502"), CancellationToken.None);
        }

        var report = await BuildAsync("main");
        var markdown = MarkdownReport.Render(report, image => image);

        Assert.Equal(["lr-small", "lr-large"], report.Experiments.Rows.Select(r => r[0]));
        Assert.Contains("## Experiments on this branch (2)", markdown, StringComparison.Ordinal);
        Assert.Contains("| Experiment | Base | Created | Status | train.epochs | evaluation/metrics.json:val_acc |", markdown, StringComparison.Ordinal);
        Assert.Contains($"| lr-small | {branch[..7]} | 2026-12-01 10:00 | succeeded | 7 | 0.7001 |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("on-main", markdown, StringComparison.Ordinal);
    }

    private static ExperimentRecord Experiment(string name, string commit, string epochs, string accuracy) =>
        new(name, commit, new DateTimeOffset(2026, 12, 1, 10, name == "lr-large" ? 5 : 0, 0, TimeSpan.Zero), ExperimentStatus.Succeeded,
            ImmutableSortedDictionary<string, string>.Empty.Add("train.epochs", epochs),
            ImmutableSortedDictionary<string, string>.Empty.Add("train.epochs", epochs),
            ImmutableSortedDictionary<string, string>.Empty.Add("evaluation/metrics.json:val_acc", accuracy), "schema: '1'\nstages: {}\n", null);

    [Fact]
    public void The_report_links_its_plots_page_where_readers_can_open_it_and_names_the_file_where_not()
    {
        var report = new ExperimentReport("abc1234", "main", [], [], []) { PlotsPage = new PlotsPageLink("report/report.plots/plots.html", null) };

        var unpublished = MarkdownReport.Render(report, null);
        var linked = MarkdownReport.Render(report with { PlotsPage = report.PlotsPage with { Url = "https://ci.example/runs/7" } }, null);

        Assert.Contains("## Plots\n\nInteractive charts of the plot data, main and workspace on each: `report/report.plots/plots.html` (not published with this report)\n", unpublished, StringComparison.Ordinal);
        Assert.Contains("Interactive charts of the plot data, main and workspace on each: [plots.html](https://ci.example/runs/7)\n", linked, StringComparison.Ordinal);
        Assert.DoesNotContain("Interactive", MarkdownReport.Render(report with { PlotsPage = null }, null), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_whose_plots_are_not_in_the_cache_is_reported_without_them()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "baseline", ".gitignore", "acc.txt", "params.yaml", "pipeline.lock", "evaluation/metrics.json");
        Directory.Delete(repo[".pipeline/cache"], recursive: true);

        var report = await BuildAsync("main");

        Assert.Equal(new PlotPair("evaluation/plots/history.png", null, "workspace/evaluation/plots/history.png"), Assert.Single(report.Plots));
        Assert.Contains(warnings, w => w.StartsWith("evaluation/plots at main: cache object", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plots_folder_that_is_the_repository_or_outside_it_is_refused_before_anything_is_deleted()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "baseline", ".gitignore", "acc.txt", "params.yaml", "pipeline.lock", "evaluation/metrics.json");
        await using var workspace = await repo.OpenAsync();
        var builder = new ExperimentReportBuilder(workspace, new GitRepository(repo.Root), new RecordingLog(warnings));

        foreach (var folder in new[] { repo.Root, Path.GetDirectoryName(repo.Root)!, Path.GetTempPath() })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => builder.BuildAsync("main", Stages[0].Metrics, Stages[0].Plots, folder, CancellationToken.None));
        }

        Assert.True(File.Exists(repo["params.yaml"]));
    }

    public void Dispose() => repo.Dispose();

    private async Task<ExperimentReport> BuildAsync(string baseRevision)
    {
        await using var workspace = await repo.OpenAsync();
        var builder = new ExperimentReportBuilder(workspace, new GitRepository(repo.Root), new RecordingLog(warnings));
        return await builder.BuildAsync(baseRevision, Stages[0].Metrics, Stages[0].Plots, repo["report"], CancellationToken.None);
    }
}
