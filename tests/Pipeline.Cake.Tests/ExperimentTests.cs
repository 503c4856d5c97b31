using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;

namespace Pipeline.Cake.Tests;

/// <summary>
/// <c>Exp</c> and <c>ExpShow</c> with the real <c>dotnet cake</c>: an experiment runs the committed pipeline with other
/// parameters in a workspace of its own, leaves the user's params.yaml alone, shares the cache and run-cache, and is
/// recorded; a failed one keeps its log and workspace; bad input is one line and leaves nothing behind.
/// </summary>
public sealed class ExperimentTests : IDisposable
{
    /// <summary>prepare -> train -> evaluate; train fails at 13 epochs, and waits while the repository's 'hold' exists.</summary>
    internal const string Stages = """
        sealed class Prepare : IStage
        {
            public StageDefinition Definition { get; } = new("prepare", CommandLine.Of("sh", "-c", "mkdir -p prepared && cat raw/* > prepared/all"))
            {
                Dependencies = ["raw"], Parameters = ["prepare"], Outputs = ["prepared"],
            };
        }

        sealed class Train : IStage
        {
            // An experiment's work tree is .pipeline/experiments/workspaces/NAME: while the repository's file 'hold'
            // exists, its train stage says it started and waits.
            public StageDefinition Definition { get; } = new("train", CommandLine.Of("sh", "-c", "if [ -f ../../../../hold ]; then touch ../../../../started; while [ -f ../../../../hold ]; do sleep 0.1; done; fi; if grep -q 'epochs: 13' params.yaml; then echo 'unlucky epochs' >&2; exit 3; fi; mkdir -p model && cat prepared/all params.yaml > model/weights"))
            {
                Dependencies = ["prepared"], Parameters = ["train"], Outputs = ["model"],
            };
        }

        sealed class Evaluate : IStage
        {
            public StageDefinition Definition { get; } = new("evaluate", CommandLine.Of("sh", "-c", "printf '{\"val_acc\": 0.%s}' $(wc -c < model/weights) > metrics.json"))
            {
                Dependencies = ["model"], Metrics = ["metrics.json"],
            };
        }
        """;

    private readonly CakeRepo repo = new(Stages);

    // The test scripts reference the built assemblies directly: no bootstrapper to run, unlike this repository's.
    private Task<CakeResult> ExpAsync(params string[] arguments) => repo.CakeAsync(["--target=Exp", "--experiment-runner=dotnet cake", .. arguments]);

    [Fact]
    public async Task An_experiment_runs_in_its_own_workspace_shares_the_run_cache_is_recorded_and_shown()
    {
        await CommitBaselineAsync();
        var parameters = await File.ReadAllTextAsync(repo["params.yaml"]);

        var first = await ExpAsync("--set=train.epochs=7", "--set=prepare.seed=1", "--name=seven");
        var again = await ExpAsync("--set=train.epochs=7", "--set=prepare.seed=1", "--name=seven-again");
        var show = await repo.CakeAsync("--target=ExpShow");
        var gc = await repo.CakeAsync("--target=Gc");
        var afterGc = await ExpAsync("--set=train.epochs=7", "--set=prepare.seed=1", "--name=seven-after-gc");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Experiment seven on ", first.Output, StringComparison.Ordinal);
        Assert.Contains("[seven] Running stage 'train' (parameter train.epochs changed: 5 -> 7; output model missing)", first.Output, StringComparison.Ordinal);
        Assert.Contains("{\"val_acc\": 0.%s}", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", first.Output, StringComparison.Ordinal);
        Assert.Contains("Recorded experiment seven: metrics.json:val_acc 0.", first.Output, StringComparison.Ordinal);
        Assert.Equal(parameters, await File.ReadAllTextAsync(repo["params.yaml"]));
        Assert.False(Directory.Exists(repo[".pipeline/experiments/workspaces/seven"]));
        var record = JsonNode.Parse(await File.ReadAllTextAsync(repo[".pipeline/experiments/seven.json"]))!;
        Assert.Equal("succeeded", (string?)record["status"]);
        Assert.Equal("7", (string?)record["overrides"]!["train.epochs"]);
        Assert.Equal("7", (string?)record["parameters"]!["train.epochs"]);
        Assert.Equal(repo.Git("rev-parse", "HEAD").Trim(), (string?)record["base_commit"]);
        Assert.Contains("epochs", (string?)record["lock_file"], StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("[seven-again] Stage 'train' restored from the run-cache", again.Output, StringComparison.Ordinal);
        Assert.True(show.ExitCode == 0, show.Output);
        var table = show.Output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(table, l => l.StartsWith("Experiment", StringComparison.Ordinal) && l.Contains("prepare.seed", StringComparison.Ordinal) && l.Contains("train.epochs", StringComparison.Ordinal) && l.Contains("metrics.json:val_acc", StringComparison.Ordinal));
        Assert.Contains(table, l => l.StartsWith("seven ", StringComparison.Ordinal) && l.Contains("succeeded", StringComparison.Ordinal));
        Assert.True(gc.ExitCode == 0, gc.Output);
        Assert.Contains("[seven-after-gc] Stage 'train' restored from the run-cache", afterGc.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_experiment_keeps_its_log_and_workspace_and_bad_input_is_one_line_leaving_nothing()
    {
        await CommitBaselineAsync();

        var failed = await ExpAsync("--set=train.epochs=13", "--name=unlucky");
        var unknownKey = await ExpAsync("--set=train.epochz=7");
        var section = await ExpAsync("--set=train=7");
        var noValue = await ExpAsync("--set=train.epochs");
        var taken = await ExpAsync("--set=train.epochs=8", "--name=unlucky");

        Assert.NotEqual(0, failed.ExitCode);
        var workspace = repo[".pipeline/experiments/workspaces/unlucky"];
        Assert.Equal($"Error: Exp: unlucky failed (exit code 1); its log is {repo[".pipeline/experiments/unlucky.log"]}, its workspace {workspace}", failed.ErrorLine);
        Assert.Contains("unlucky epochs", await File.ReadAllTextAsync(repo[".pipeline/experiments/unlucky.log"]), StringComparison.Ordinal);
        Assert.True(Directory.Exists(workspace));
        Assert.Equal("failed", (string?)JsonNode.Parse(await File.ReadAllTextAsync(repo[".pipeline/experiments/unlucky.json"]))!["status"]);
        Assert.Equal("Error: params.yaml: --set train.epochz: no such parameter (there are train.epochs)", unknownKey.ErrorLine);
        Assert.Equal("Error: params.yaml: --set train: a section, not a parameter; set one of its keys", section.ErrorLine);
        Assert.Equal("Error: --set train.epochs: expected KEY=VALUE, such as --set=train.lr=0.001", noValue.ErrorLine);
        Assert.Equal("Error: Exp: an experiment named 'unlucky' is recorded already; choose another --name", taken.ErrorLine);
        Assert.Single(Directory.GetFiles(repo[".pipeline/experiments"], "*.json"));
        Assert.Single(Directory.GetDirectories(repo[".pipeline/experiments/workspaces"]));
    }

    [Fact]
    public async Task A_queued_sweep_runs_two_at_a_time_skipping_an_unreadable_entry_and_the_queue_shows_each_state()
    {
        await CommitBaselineAsync();

        var queued = await ExpAsync("--queue", "--set=train.epochs=6,7", "--set=prepare.seed=range(1,3)", "--name=sweep");
        Directory.CreateDirectory(repo[".pipeline/experiments/queue"]);
        await File.WriteAllTextAsync(repo[".pipeline/experiments/queue/broken.json"], "{");
        var before = await repo.CakeAsync("--target=ExpQueue");
        var run = await repo.CakeAsync("--target=ExpRun", "--jobs=2", "--experiment-runner=dotnet cake");
        var after = await repo.CakeAsync("--target=ExpQueue");
        var csv = await repo.CakeAsync("--target=ExpShow", "--format=csv", "--sort-by=train.epochs", "--sort-order=desc", "--out=experiments.csv");
        var json = await repo.CakeAsync("--target=ExpShow", "--format=json", "--out=experiments.json");
        var badSort = await repo.CakeAsync("--target=ExpShow", "--sort-by=nope");
        var toolCsv = await PipelineToolAsync("exp", "show", "--format=csv", "--sort-by=train.epochs", "--sort-order=desc");
        var toolJson = await PipelineToolAsync("exp", "show", "--format", "json", "-C", repo.Root);
        var toolBadSort = await PipelineToolAsync("exp", "show", "--sort-by=nope");
        var toolBadFormat = await PipelineToolAsync("exp", "show", "--format=xml");
        var toolHelp = await PipelineToolAsync("exp", "show", "--help");
        var badRange = await ExpAsync("--set=train.epochs=range(5,x)");
        var emptyRange = await ExpAsync("--set=train.epochs=range(5,5)");

        Assert.True(queued.ExitCode == 0, queued.Output);
        Assert.Contains("Queued experiment sweep-1: train.epochs=6, prepare.seed=1", queued.Output, StringComparison.Ordinal);
        Assert.Contains("Queued experiment sweep-4: train.epochs=7, prepare.seed=2", queued.Output, StringComparison.Ordinal);
        Assert.Equal(4, Rows(before.Output, "queued"));
        Assert.Equal(1, Rows(before.Output, "unreadable"));
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Running 4 queued experiments, 2 at a time", run.Output, StringComparison.Ordinal);
        Assert.Contains("4 of 4 done: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("Skipped the queue entry", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, Rows(after.Output, "queued"));
        Assert.Equal(4, Rows(after.Output, "succeeded"));
        Assert.Equal(1, Rows(after.Output, "unreadable"));
        Assert.Equal("6", (string?)JsonNode.Parse(await File.ReadAllTextAsync(repo[".pipeline/experiments/sweep-2.json"]))!["parameters"]!["train.epochs"]);
        Assert.Equal("2", (string?)JsonNode.Parse(await File.ReadAllTextAsync(repo[".pipeline/experiments/sweep-2.json"]))!["parameters"]!["prepare.seed"]);
        Assert.True(csv.ExitCode == 0, csv.Output);
        var lines = (await File.ReadAllTextAsync(repo["experiments.csv"])).TrimEnd('\n').Split('\n');
        Assert.StartsWith("Experiment,Base,Created,Status,prepare.seed,train.epochs,metrics.json:val_acc", lines[0], StringComparison.Ordinal);
        var epochs = Array.IndexOf(lines[0].Split(','), "train.epochs");
        Assert.Equal(["7", "7", "6", "6"], lines.Skip(1).Select(l => l.Split(',')[epochs]));
        Assert.Equal(["sweep-1", "sweep-2", "sweep-3", "sweep-4"], JsonNode.Parse(await File.ReadAllTextAsync(repo["experiments.json"]))!.AsArray().Select(r => (string?)r!["name"]).Order(StringComparer.Ordinal));
        Assert.StartsWith("Error: --sort-by nope: no such column (there are Experiment, Base, Created, Status, ", badSort.ErrorLine, StringComparison.Ordinal);
        Assert.Equal((0, await File.ReadAllTextAsync(repo["experiments.csv"])), (toolCsv.ExitCode, toolCsv.StandardOutput));
        Assert.Equal((0, await File.ReadAllTextAsync(repo["experiments.json"])), (toolJson.ExitCode, toolJson.StandardOutput));
        Assert.Equal((1, badSort.ErrorLine + "\n", ""), (toolBadSort.ExitCode, toolBadSort.StandardError, toolBadSort.StandardOutput));
        Assert.Equal(1, toolBadFormat.ExitCode);
        Assert.StartsWith("Error: Argument 'xml' not recognized. Must be one of:", toolBadFormat.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, toolHelp.ExitCode);
        Assert.Contains("--sort-order <asc|desc>", toolHelp.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("Error: --set train.epochs=range(5,x): expected range(START,STOP) or range(START,STOP,STEP) with whole numbers", badRange.ErrorLine);
        Assert.Equal("Error: --set train.epochs=range(5,5): the range is empty", emptyRange.ErrorLine);
    }

    [Fact]
    public async Task An_experiment_is_applied_from_the_cache_branched_shared_through_git_and_the_data_remote_and_removed()
    {
        var shared = Path.Combine(Path.GetTempPath(), "pipeline-cake-tests", Guid.NewGuid().ToString("N"));
        try
        {
            repo.Write("pipeline.remotes.yaml", $"remotes:\n  store:\n    url: {Path.Combine(shared, "data")}\ndefault: store\n");
            await CommitBaselineAsync("pipeline.remotes.yaml");
            var baseline = repo.Git("rev-parse", "HEAD").Trim();
            var branchBefore = repo.Git("rev-parse", "--abbrev-ref", "HEAD").Trim();
            var ran = await ExpAsync("--set=train.epochs=9", "--name=nine");
            Assert.True(ran.ExitCode == 0, ran.Output);
            await File.AppendAllTextAsync(repo["params.yaml"], "# an edit of my own\n");

            var refused = await repo.CakeAsync("--target=ExpApply", "--name=nine");
            var applied = await repo.CakeAsync("--target=ExpApply", "--name=nine", "--force");
            var status = await repo.CakeAsync("--target=Status");
            var branched = await repo.CakeAsync("--target=ExpBranch", "--name=nine", "--branch=try-nine");
            var branchedAgain = await repo.CakeAsync("--target=ExpBranch", "--name=nine", "--branch=try-nine");
            var unnamed = await repo.CakeAsync("--target=ExpApply");

            Assert.Equal("Error: ExpApply: params.yaml has changes that are not committed; commit or stash them, or pass --force to overwrite them", refused.ErrorLine);
            Assert.True(applied.ExitCode == 0, applied.Output);
            Assert.Contains("Applied experiment 'nine': params.yaml, pipeline.lock and 3 outputs", applied.Output, StringComparison.Ordinal);
            Assert.Contains("epochs: 9", await File.ReadAllTextAsync(repo["params.yaml"]), StringComparison.Ordinal);
            Assert.Contains("epochs: 9", await File.ReadAllTextAsync(repo["model/weights"]), StringComparison.Ordinal);
            Assert.Contains("Pipeline is up to date.", status.Output, StringComparison.Ordinal);
            Assert.True(branched.ExitCode == 0, branched.Output);
            Assert.Contains("epochs: 9", repo.Git("show", "try-nine:params.yaml"), StringComparison.Ordinal);
            Assert.Contains("epochs: 9", repo.Git("show", "try-nine:pipeline.lock"), StringComparison.Ordinal);
            Assert.Equal(baseline, repo.Git("rev-parse", "try-nine^").Trim());
            Assert.Equal(branchBefore, repo.Git("rev-parse", "--abbrev-ref", "HEAD").Trim());
            Assert.Equal("Error: 'refs/heads/try-nine' exists already; choose another name", branchedAgain.ErrorLine);
            Assert.Equal("Error: ExpApply: say which experiment with --name=NAME (ExpShow lists them)", unnamed.ErrorLine);

            // Shared: a bare git remote and a folder data remote; a clone pulls the experiment and applies it.
            TestGit.Run(Path.GetTempPath(), "init", "--quiet", "--bare", Path.Combine(shared, "git"));
            repo.Git("remote", "add", "origin", Path.Combine(shared, "git"));
            repo.Git("push", "--quiet", "origin", "HEAD:refs/heads/main");
            var pushed = await repo.CakeAsync("--target=ExpPush", "--name=nine");
            Assert.True(pushed.ExitCode == 0, pushed.Output);
            Assert.Contains("Pushed 1 experiment to origin (nine)", pushed.Output, StringComparison.Ordinal);

            var clone = Path.Combine(shared, "clone");
            TestGit.Run(shared, "clone", "--quiet", "--branch", "main", Path.Combine(shared, "git"), clone);
            var pulled = await CakeRepo.CakeInAsync(clone, "--target=ExpPull");
            var show = await CakeRepo.CakeInAsync(clone, "--target=ExpShow");
            var appliedThere = await CakeRepo.CakeInAsync(clone, "--target=ExpApply", "--name=nine");
            Assert.True(pulled.ExitCode == 0, pulled.Output);
            Assert.Contains("Pulled 1 experiment from origin (nine)", pulled.Output, StringComparison.Ordinal);
            Assert.Contains(show.Output.Split('\n'), l => l.TrimStart().StartsWith("nine ", StringComparison.Ordinal));
            Assert.True(appliedThere.ExitCode == 0, appliedThere.Output);
            Assert.Equal(await File.ReadAllTextAsync(repo["model/weights"]), await File.ReadAllTextAsync(Path.Combine(clone, "model", "weights")));

            var removed = await repo.CakeAsync("--target=ExpRemove", "--name=nine");
            var unknown = await repo.CakeAsync("--target=ExpRemove", "--name=nine,ten");
            Assert.True(removed.ExitCode == 0, removed.Output);
            Assert.False(File.Exists(repo[".pipeline/experiments/nine.json"]));
            Assert.False(File.Exists(repo[".pipeline/experiments/nine.log"]));
            Assert.Equal("Error: ExpRemove: no experiment named 'nine', 'ten' is recorded or queued (ExpQueue lists them)", unknown.ErrorLine);
        }
        finally
        {
            if (Directory.Exists(shared))
            {
                foreach (var file in Directory.EnumerateFiles(shared, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }

                Directory.Delete(shared, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_second_ExpRun_is_refused_the_queue_shows_what_runs_and_a_stopped_ExpRun_leaves_its_experiments_queued_and_no_workspace_behind()
    {
        await CommitBaselineAsync();
        var queued = await ExpAsync("--queue", "--set=train.epochs=6,7", "--name=held");
        Assert.True(queued.ExitCode == 0, queued.Output);
        repo.Write("hold", "");

        using (var run = repo.Start("--target=ExpRun", "--jobs=2", "--experiment-runner=dotnet cake"))
        {
            await repo.WaitForFileAsync("started", TimeSpan.FromSeconds(120));
            var second = await repo.CakeAsync("--target=ExpRun", "--experiment-runner=dotnet cake");
            await repo.WaitForFileAsync(".pipeline/experiments/queue/held-2.json.running", TimeSpan.FromSeconds(60));
            var during = await repo.CakeAsync("--target=ExpQueue");
            Assert.True(during.ExitCode == 0, during.Output);
            Assert.Equal(2, Rows(during.Output, "running"));
            Assert.Contains(repo[".pipeline/experiments/held-1.log"], during.Output, StringComparison.Ordinal);
            Assert.Matches(@"^Error: the repository is locked by 'dotnet cake --target=ExpRun --jobs=2 --experiment-runner=dotnet cake' \(pid \d+", second.ErrorLine);
            Assert.Equal(0, RunningProcesses.Signal(run.Id, 15));
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await run.WaitForExitAsync(stopped.Token);
            Assert.NotEqual(0, run.ExitCode);
        }

        Assert.Empty(RunningProcesses.In(repo[".pipeline/experiments/workspaces"]));
        Assert.Empty(Directory.GetDirectories(repo[".pipeline/experiments/workspaces"]));
        Assert.Empty(Directory.GetFiles(repo[".pipeline/experiments"], "*.json"));
        var state = await repo.CakeAsync("--target=ExpQueue");
        Assert.Equal(2, Rows(state.Output, "queued"));
        Assert.Empty(Directory.GetFiles(repo[".pipeline/experiments/queue"], "*.running"));

        File.Delete(repo["hold"]);
        var resumed = await repo.CakeAsync("--target=ExpRun", "--jobs=2", "--experiment-runner=dotnet cake");
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(2, Rows((await repo.CakeAsync("--target=ExpQueue")).Output, "succeeded"));
    }

    public void Dispose()
    {
        // The experiments' work trees are registered with the repository's git; removing the folder is enough here.
        repo.Dispose();
    }

    // The read-only tool as a user runs it, from a folder inside the repository: it finds the repository itself.
    private Task<BufferedCommandResult> PipelineToolAsync(params string[] arguments) =>
        Cli.Wrap("dotnet").WithArguments([Path.Combine(AppContext.BaseDirectory, "pipeline.dll"), .. arguments])
            .WithWorkingDirectory(repo["raw"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

    // The ExpQueue rows in a state.
    private static int Rows(string output, string state) =>
        output.Split('\n').Select(l => l.Trim().Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Count(cells => cells.Length > 1 && cells[1] == state);

    private async Task CommitBaselineAsync(params string[] more)
    {
        repo.Git("init", "--quiet");
        repo.Git("config", "user.name", "Pipeline Tests");
        repo.Git("config", "user.email", "tests@example.com");
        repo.Write(".gitignore", "/prepared/\n/model/\n/.pipeline/\n");
        var baseline = await repo.CakeAsync();
        Assert.True(baseline.ExitCode == 0, baseline.Output);
        repo.Commit("baseline", [".gitignore", ".config/dotnet-tools.json", "cake.config", "build.cake", "params.yaml", "raw/a.txt", "raw/b.txt", "pipeline.lock", "metrics.json", .. more]);
    }
}
