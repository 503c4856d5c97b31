using Pipeline.Core.Diffs;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Tests;

public sealed class DiffTests : IDisposable
{
    private static readonly StageDefinition[] Stages =
    [
        new("evaluate", ScenarioRepo.Shell("printf '{\"val_acc\": %s, \"val_loss\": 1.5, \"model\": \"cnn\"}' $(cat acc.txt) > metrics.json"))
        {
            Dependencies = ["acc.txt"], Parameters = ["train"], Metrics = ["metrics.json"],
        },
    ];

    private readonly ScenarioRepo repo = new();
    private readonly List<string> warnings = [];

    public DiffTests()
    {
        repo.Git("init", "--quiet");
        repo.Write("acc.txt", "0.4891");
    }

    [Fact]
    public async Task A_metrics_diff_across_two_commits_gives_old_new_and_change()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "epochs 5", "acc.txt", "params.yaml", "pipeline.lock", "metrics.json");
        repo.Write("acc.txt", "0.6854");
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "epochs 10", "acc.txt", "pipeline.lock", "metrics.json");

        var rows = await MetricsAsync("HEAD~1");

        Assert.Equal(
            [
                new DiffRow("metrics.json", "model", "cnn", "cnn"),
                new DiffRow("metrics.json", "val_acc", "0.4891", "0.6854"),
                new DiffRow("metrics.json", "val_loss", "1.5", "1.5"),
            ],
            rows);
        Assert.Equal(["", "+0.1963", "0"], rows.Select(r => r.Change));
        Assert.DoesNotContain(await MetricsAsync("HEAD"), r => r.IsChanged);
    }

    [Fact]
    public async Task Metrics_that_are_not_committed_are_read_from_the_cache_by_the_revisions_lock_file()
    {
        repo.Write(".gitignore", "/metrics.json\n");
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "epochs 5", ".gitignore", "acc.txt", "params.yaml", "pipeline.lock");
        repo.Write("acc.txt", "0.6854");
        await repo.ReproAsync(stages: Stages);

        var rows = await MetricsAsync("main");

        Assert.Equal(new DiffRow("metrics.json", "val_acc", "0.4891", "0.6854"), Assert.Single(rows, r => r.IsChanged));
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task The_metrics_history_has_each_commits_metrics_newest_first_from_git_or_the_cache()
    {
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "committed metrics", "acc.txt", "params.yaml", "pipeline.lock", "metrics.json");
        repo.Write(".gitignore", "/metrics.json\n");
        TestGit.Run(repo.Root, "rm", "--cached", "--quiet", "metrics.json");
        repo.Write("acc.txt", "0.6854");
        await repo.ReproAsync(stages: Stages);
        TestGit.Commit(repo.Root, "metrics in the cache only", ".gitignore", "acc.txt", "pipeline.lock");
        await using var workspace = await repo.OpenAsync();

        var history = await Diff(workspace).MetricsHistoryAsync(new Maintenance.ReferenceScope(AllCommits: true), ["metrics.json"], CancellationToken.None);

        Assert.Equal(["metrics in the cache only", "committed metrics"], history.Select(h => h.Commit.Subject));
        Assert.Equal(["0.6854", "0.4891"], history.Select(h => h.Metrics["metrics.json:val_acc"]));
        Assert.Equal("cnn", history[1].Metrics["metrics.json:model"]);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task Many_files_at_many_commits_come_back_in_order_a_folder_or_a_missing_file_as_nothing()
    {
        repo.Write("a.txt", "first\nline two\n");
        repo.Write("folder/b.txt", "inside");
        TestGit.Commit(repo.Root, "one", "a.txt", "folder/b.txt");
        var one = TestGit.Run(repo.Root, "rev-parse", "HEAD").Trim();
        repo.Write("a.txt", "second");
        TestGit.Commit(repo.Root, "two", "a.txt");
        var two = TestGit.Run(repo.Root, "rev-parse", "HEAD").Trim();

        var texts = await new GitRepository(repo.Root).ShowManyAsync(
            [(one, "a.txt"), (one, "folder"), (two, "missing.txt"), (two, "a.txt"), (one, "folder/b.txt")], CancellationToken.None);

        Assert.Equal(["first\nline two\n", null, null, "second", "inside"], texts);
    }

    [Fact]
    public void A_table_as_json_has_an_object_per_row_with_numbers_as_numbers_and_a_dash_as_null()
    {
        var json = DiffTable.Format(["Revision", "val_acc", "note"], [["abc1234", "0.25", "-"], ["def5678", "1e-3", "x,y"]], TableFormat.Json);

        using var rows = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(2, rows.RootElement.GetArrayLength());
        Assert.Equal(0.25, rows.RootElement[0].GetProperty("val_acc").GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rows.RootElement[0].GetProperty("note").ValueKind);
        Assert.Equal(0.001, rows.RootElement[1].GetProperty("val_acc").GetDouble());
        Assert.Equal("x,y", rows.RootElement[1].GetProperty("note").GetString());
        Assert.Equal(TableFormat.Json, DiffTable.FormatNamed("json"));
        Assert.Equal("--format: 'yaml' is not one of text, md, csv, json", Assert.Throws<PipelineException>(() => DiffTable.FormatNamed("yaml")).Message);
    }

    [Fact]
    public async Task A_params_diff_lists_changed_keys_with_the_numeric_change()
    {
        TestGit.Commit(repo.Root, "defaults", "params.yaml");
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 10\n  lr: 0.001\n  optimizer: adam\n");
        await using var workspace = await repo.OpenAsync();

        var rows = (await Diff(workspace).ParamsAsync("HEAD", CancellationToken.None)).Where(r => r.IsChanged).ToList();

        Assert.Equal(
            [
                new DiffRow("params.yaml", "train.epochs", "5", "10"),
                new DiffRow("params.yaml", "train.lr", "0.0001", "0.001"),
                new DiffRow("params.yaml", "train.optimizer", null, "adam"),
            ],
            rows);
        Assert.Equal(["+5", "+0.0009", ""], rows.Select(r => r.Change));
    }

    [Fact]
    public async Task An_unknown_revision_is_one_clear_error()
    {
        TestGit.Commit(repo.Root, "defaults", "params.yaml");
        await using var workspace = await repo.OpenAsync();

        var error = await Assert.ThrowsAsync<PipelineException>(() => Diff(workspace).ParamsAsync("no-such-branch", CancellationToken.None));

        Assert.Equal("--rev: 'no-such-branch' is not a branch, tag or commit of this git repository", error.Message);
    }

    [Fact]
    public void Tables_come_aligned_for_a_terminal_and_as_markdown_for_reports()
    {
        DiffRow[] rows = [new("metrics.json", "val_acc", "0.4891", "0.6854"), new("metrics.json", "note|x", null, "new")];

        Assert.Equal(
            "Path          Key      Old     New     Change\n" +
            "metrics.json  val_acc  0.4891  0.6854  +0.1963\n" +
            "metrics.json  note|x   -       new\n",
            DiffTable.Format(rows, TableFormat.Text));
        Assert.Equal(
            "| Path | Key | Old | New | Change |\n| --- | --- | --- | --- | --- |\n" +
            "| metrics.json | val_acc | 0.4891 | 0.6854 | +0.1963 |\n| metrics.json | note\\|x | - | new |  |\n",
            DiffTable.Format(rows, TableFormat.Markdown));
    }

    private async Task<List<DiffRow>> MetricsAsync(string revision)
    {
        await using var workspace = await repo.OpenAsync();
        return [.. await Diff(workspace).MetricsAsync(revision, ["metrics.json"], CancellationToken.None)];
    }

    private RevisionDiff Diff(Workspace.PipelineWorkspace workspace) =>
        new(workspace, new GitRepository(repo.Root), new RecordingLog(warnings));

    public void Dispose() => repo.Dispose();
}
