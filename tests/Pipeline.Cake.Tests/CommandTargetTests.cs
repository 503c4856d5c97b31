using Pipeline.Storage.Native;

namespace Pipeline.Cake.Tests;

public sealed class CommandTargetTests
{
    /// <summary>Like the default stages, but evaluate writes JSON metrics that follow the size of the model.</summary>
    private const string JsonMetricsStages = """
        sealed class Prepare : IStage
        {
            public StageDefinition Definition { get; } = new("prepare", CommandLine.Of("sh", "-c", "mkdir -p prepared && cat raw/* > prepared/all"))
            {
                Dependencies = ["raw"], Parameters = ["prepare"], Outputs = ["prepared"],
            };
        }

        sealed class Train : IStage
        {
            public StageDefinition Definition { get; } = new("train", CommandLine.Of("sh", "-c", "mkdir -p model && cat prepared/all params.yaml > model/weights && echo x >> runs/train"))
            {
                Dependencies = ["prepared"], Parameters = ["train"], Outputs = ["model"],
            };
        }

        sealed class Evaluate : IStage
        {
            public StageDefinition Definition { get; } = new("evaluate", CommandLine.Of("sh", "-c", "printf '{\"val_acc\": 0.%s, \"val_loss\": 1.5}' $(wc -c < model/weights) > metrics.json"))
            {
                Dependencies = ["model"], Metrics = ["metrics.json"],
            };
        }
        """;

    private const string Epochs10 = "prepare:\n  seed: 77\ntrain:\n  epochs: 10\n";

    [Fact]
    public async Task After_the_cache_is_lost_Status_names_each_uncached_output_and_Commit_stores_them_without_running_anything()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        await repo.CakeAsync();
        Directory.Delete(repo[".pipeline/cache"], recursive: true);

        var status = await repo.CakeAsync("--target=Status");
        var commit = await repo.CakeAsync("--target=Commit");
        var again = await repo.CakeAsync("--target=Commit");
        var after = await repo.CakeAsync("--target=Status");

        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("train: output model is not in the cache (Repro or Commit stores it from the workspace; Push needs it there)", status.Output, StringComparison.Ordinal);
        Assert.Contains("3 recorded paths not in the cache.", status.Output, StringComparison.Ordinal);
        Assert.True(commit.ExitCode == 0, commit.Output);
        Assert.Contains("Stored model in the cache from the workspace (2 objects)", commit.Output, StringComparison.Ordinal);
        Assert.Contains("3 paths stored, 0 already in the cache.", commit.Output, StringComparison.Ordinal);
        Assert.Contains("0 paths stored, 3 already in the cache.", again.Output, StringComparison.Ordinal);
        Assert.Contains("Pipeline is up to date.", after.Output, StringComparison.Ordinal);
        Assert.Equal([1, 1, 1], new[] { repo.Runs("prepare"), repo.Runs("train"), repo.Runs("evaluate") });
    }

    [Fact]
    public async Task Commit_of_an_output_in_neither_the_cache_nor_the_workspace_is_one_error_line()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        await repo.CakeAsync();
        Directory.Delete(repo[".pipeline/cache"], recursive: true);
        Directory.Delete(repo["model"], recursive: true);

        var commit = await repo.CakeAsync("--target=Commit");

        Assert.NotEqual(0, commit.ExitCode);
        Assert.Equal("Error: Commit: 1 path in neither the cache nor the workspace as recorded (model); Pull fetches them from a remote, Repro rebuilds outputs", commit.ErrorLine);
    }

    [Fact]
    public async Task Dag_draws_the_graph_as_a_tree_and_as_mermaid()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);

        var tree = await repo.CakeAsync("--target=Dag");
        var mermaid = await repo.CakeAsync("--target=Dag", "--format=mermaid");

        Assert.True(tree.ExitCode == 0, tree.Output);
        Assert.Contains("prepare\n└── train\n    └── evaluate\n", tree.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("flowchart TD\n    s0[\"prepare\"]\n", mermaid.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("    s1 --> s2\n", mermaid.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repro_options_select_force_and_dry_run_stages()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        await repo.CakeAsync();
        repo.Write("params.yaml", Epochs10);
        var lockBefore = await File.ReadAllTextAsync(repo["pipeline.lock"]);

        var dryRun = await repo.CakeAsync("--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains("Dry run: prepare: up to date, would skip", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("Dry run: train: would run (parameter train.epochs changed: 5 -> 10)", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("Dry run: evaluate: up to date now; would run if running 'train' first changes its dependencies", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(lockBefore, await File.ReadAllTextAsync(repo["pipeline.lock"]));
        Assert.Equal(1, repo.Runs("train"));

        var downstream = await repo.CakeAsync("--downstream=train", "--force");
        var forceOne = await repo.CakeAsync("--force-stage=evaluate");

        Assert.True(downstream.ExitCode == 0, downstream.Output);
        Assert.Equal([1, 2, 3], new[] { repo.Runs("prepare"), repo.Runs("train"), repo.Runs("evaluate") });
        Assert.Contains("Running stage 'evaluate' (forced)", forceOne.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkout_after_switching_branches_restores_tracked_data_and_outputs_from_the_cache()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        repo.Git("init", "--quiet");
        var added = await repo.CakeAsync("--target=Add", "--path=raw");
        await repo.CakeAsync();
        repo.Commit("one", "raw.ptr", ".gitignore", "pipeline.lock", "params.yaml");
        repo.Git("checkout", "--quiet", "-b", "two");
        repo.Write("raw/b.txt", "BETA");
        await repo.CakeAsync("--target=Add", "--path=raw");
        await repo.CakeAsync();
        repo.Commit("two", "raw.ptr", "pipeline.lock");
        repo.Git("checkout", "--quiet", "main");
        var untouched = FileStat.Of(repo["raw/a.txt"]);

        var checkout = await repo.CakeAsync("--target=Checkout");
        var status = await repo.CakeAsync("--target=Status");

        Assert.True(added.ExitCode == 0, added.Output);
        Assert.Contains("Added raw (2 files, 9 bytes) to the cache; commit raw.ptr and .gitignore", added.Output, StringComparison.Ordinal);
        Assert.True(checkout.ExitCode == 0, checkout.Output);
        Assert.Contains("Restored raw as raw.ptr records it (1 file written)", checkout.Output, StringComparison.Ordinal);
        Assert.Contains("Restored prepared as pipeline.lock records it", checkout.Output, StringComparison.Ordinal);
        Assert.Equal("beta", await File.ReadAllTextAsync(repo["raw/b.txt"]));
        Assert.Equal(untouched, FileStat.Of(repo["raw/a.txt"]));
        Assert.Contains("Pipeline is up to date.", status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not up to date", status.Output, StringComparison.Ordinal);
        Assert.Equal(2, repo.Runs("prepare"));
    }

    [Fact]
    public async Task Params_and_metrics_diff_against_a_commit_and_the_run_cache_on_switching_back()
    {
        using var repo = new CakeRepo(JsonMetricsStages);
        var before = await CommitFiveThenRunTenEpochsAsync(repo);

        var paramsDiff = await repo.CakeAsync("--target=ParamsDiff");
        var metricsDiff = await repo.CakeAsync("--target=MetricsDiff", "--rev=main", "--format=md", "--out=report.md");
        var unknown = await repo.CakeAsync("--target=MetricsDiff", "--rev=nope");
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 5\n");
        var back = await repo.CakeAsync();

        Assert.Contains("params.yaml  train.epochs  5    10   +5", paramsDiff.Output, StringComparison.Ordinal);
        Assert.True(metricsDiff.ExitCode == 0, metricsDiff.Output);
        var report = await File.ReadAllTextAsync(repo["report.md"]);
        Assert.StartsWith("| Path | Key | Old | New | Change |\n| --- | --- | --- | --- | --- |\n| metrics.json | val_acc | 0.", report, StringComparison.Ordinal);
        Assert.EndsWith(" | +0.01 |\n", report, StringComparison.Ordinal);
        Assert.Equal("Error: --rev: 'nope' is not a branch, tag or commit of this git repository", unknown.ErrorLine);
        Assert.Contains("Stage 'train' restored from the run-cache: an earlier run with the same inputs", back.Output, StringComparison.Ordinal);
        Assert.Equal(2, repo.Runs("train"));
        Assert.Equal(before, await File.ReadAllTextAsync(repo["metrics.json"]));
    }

    [Fact]
    public async Task MetricsShow_across_commits_is_a_table_of_each_revisions_metrics_newest_first_printed_as_data()
    {
        using var repo = new CakeRepo(JsonMetricsStages);
        await CommitFiveThenRunTenEpochsAsync(repo);
        repo.Commit("epochs 10", "params.yaml", "pipeline.lock", "metrics.json");
        var ten = await File.ReadAllTextAsync(repo["metrics.json"]);
        repo.Git("checkout", "--quiet", "HEAD~1", "--", "params.yaml");
        await repo.CakeAsync();
        var five = await File.ReadAllTextAsync(repo["metrics.json"]);

        var text = await repo.CakeAsync("--target=MetricsShow", "--all-commits", "--verbosity=quiet", "--no-report");
        var json = await repo.CakeAsync("--target=MetricsShow", "--all-commits", "--format=json", "--verbosity=quiet", "--no-report");
        var csv = await repo.CakeAsync("--target=MetricsShow", "--all-commits", "--format=csv", "--verbosity=quiet", "--no-report");

        Assert.True(text.ExitCode == 0, text.Output);
        var lines = text.Output.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 4, text.Output);
        Assert.Matches(@"^Revision +Committed +Subject +metrics.json:val_acc +metrics.json:val_loss$", lines[0]);
        Assert.StartsWith("workspace", lines[1], StringComparison.Ordinal);
        Assert.Contains("epochs 10", lines[2], StringComparison.Ordinal);
        Assert.Contains("epochs 5", lines[3], StringComparison.Ordinal);
        using var rows = System.Text.Json.JsonDocument.Parse(json.Output);
        Assert.Equal(["workspace", "epochs 10", "epochs 5"], rows.RootElement.EnumerateArray().Select(r => r.GetProperty("Subject").ValueKind == System.Text.Json.JsonValueKind.Null ? "workspace" : r.GetProperty("Subject").GetString()!));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, rows.RootElement[1].GetProperty("metrics.json:val_acc").ValueKind);
        Assert.Equal(ValAcc(five), rows.RootElement[0].GetProperty("metrics.json:val_acc").GetRawText());
        Assert.Equal(ValAcc(ten), rows.RootElement[1].GetProperty("metrics.json:val_acc").GetRawText());
        Assert.Equal(ValAcc(five), rows.RootElement[2].GetProperty("metrics.json:val_acc").GetRawText());
        Assert.StartsWith("Revision,Committed,Subject,metrics.json:val_acc,metrics.json:val_loss\nworkspace,-,-,", csv.Output, StringComparison.Ordinal);
        Assert.Equal(4, csv.Output.TrimEnd('\n').Split('\n').Length);

        static string ValAcc(string metrics) => System.Text.Json.JsonDocument.Parse(metrics).RootElement.GetProperty("val_acc").GetRawText();
    }

    [Fact]
    public async Task A_diff_as_json_is_the_same_rows_for_a_program_and_an_empty_diff_is_an_empty_array()
    {
        using var repo = new CakeRepo(JsonMetricsStages);
        await CommitFiveThenRunTenEpochsAsync(repo);

        var changed = await repo.CakeAsync("--target=ParamsDiff", "--format=json", "--verbosity=quiet", "--no-report");
        var wrong = await repo.CakeAsync("--target=ParamsDiff", "--format=yaml");
        repo.Commit("epochs 10", "params.yaml", "pipeline.lock", "metrics.json");
        var none = await repo.CakeAsync("--target=MetricsDiff", "--format=json", "--verbosity=quiet", "--no-report");

        using var rows = System.Text.Json.JsonDocument.Parse(changed.Output);
        var row = Assert.Single(rows.RootElement.EnumerateArray());
        Assert.Equal(("train.epochs", 5, 10), (row.GetProperty("Key").GetString(), row.GetProperty("Old").GetInt32(), row.GetProperty("New").GetInt32()));
        Assert.Equal("Error: --format: 'yaml' is not one of text, md, csv, json", wrong.ErrorLine);
        Assert.Equal("[]", none.Output.Trim());
    }

    [Fact]
    public async Task Report_writes_the_report_against_HEAD_and_publish_without_a_publisher_is_one_line_before_writing()
    {
        using var repo = new CakeRepo(JsonMetricsStages);
        await CommitFiveThenRunTenEpochsAsync(repo);

        var report = await repo.CakeAsync("--target=Report", "--out=review/report.md");
        var publish = await repo.CakeAsync("--target=Report", "--publish");
        var atRoot = await repo.CakeAsync("--target=Report", "--out=report.md");

        Assert.True(report.ExitCode == 0, report.Output);
        Assert.Contains("Wrote review/report.md (1 changed params, 2 metrics, 0 plots against HEAD)", report.Output, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(repo["review/report.md"]);
        Assert.Contains("train.epochs", text, StringComparison.Ordinal);
        Assert.Contains("val_acc", text, StringComparison.Ordinal);
        Assert.Equal("Error: Report --publish: this pipeline has no report publisher; its build definition sets PipelineAdapters.ReportPublisher", publish.ErrorLine);
        Assert.False(File.Exists(repo["report/report.md"]));
        Assert.True(atRoot.ExitCode == 0, atRoot.Output);
        Assert.True(File.Exists(repo["params.yaml"]) && File.Exists(repo["pipeline.lock"]) && File.Exists(repo["metrics.json"]), "a report at the root left the repository's files alone");
        Assert.True(Directory.Exists(repo["report.plots"]));
    }

    [Fact]
    public async Task Gc_keeps_what_another_branch_refers_to_only_with_all_branches()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        repo.Git("init", "--quiet");
        await repo.CakeAsync();
        repo.Commit("main", "params.yaml", "pipeline.lock");
        repo.Git("checkout", "--quiet", "-b", "experiment");
        repo.Write("params.yaml", Epochs10);
        await repo.CakeAsync();
        repo.Commit("experiment", "params.yaml", "pipeline.lock");
        repo.Git("checkout", "--quiet", "main");

        var allBranches = await repo.CakeAsync("--target=Gc", "--all-branches");
        var workspaceOnly = await repo.CakeAsync("--target=Gc");

        Assert.True(allBranches.ExitCode == 0, allBranches.Output);
        Assert.Contains("Removed 0 cache objects (0 bytes); kept 8 referenced by the workspace and 2 git commits.", allBranches.Output, StringComparison.Ordinal);
        Assert.Contains("Removed 3 cache objects (", workspaceOnly.Output, StringComparison.Ordinal);
        Assert.Contains(" and 2 run-cache entries; kept 5 referenced by the workspace.", workspaceOnly.Output, StringComparison.Ordinal);
    }

    // A committed 5-epoch run, then a 10-epoch one in the workspace; returns the 5-epoch metrics.
    private static async Task<string> CommitFiveThenRunTenEpochsAsync(CakeRepo repo)
    {
        repo.Git("init", "--quiet");
        await repo.CakeAsync();
        repo.Commit("epochs 5", "params.yaml", "pipeline.lock", "metrics.json");
        var metrics = await File.ReadAllTextAsync(repo["metrics.json"]);
        repo.Write("params.yaml", Epochs10);
        await repo.CakeAsync();
        return metrics;
    }
}
