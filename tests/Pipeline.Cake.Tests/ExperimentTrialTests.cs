namespace Pipeline.Cake.Tests;

/// <summary>
/// <c>ExpRun --on=PLACE</c> with the real <c>dotnet cake</c>: each experiment's own run hands its train stage over, the
/// target of that place runs all of them as one batch, and each experiment adopts its result, finishes and is
/// recorded. The place here is a stand-in whose batch runs in the test's script (the Kubernetes one, an Indexed Job, is
/// tested against the API emulator); it records each batch it gets.
/// </summary>
public sealed class ExperimentTrialTests : IDisposable
{
    private const string Elsewhere = """
        // The stand-in place: a trial of 13 epochs fails; the stage's outputs are then made here, as adopted ones would be.
        static RemoteStageTarget TrainElsewhere() => new("TrainElsewhere", "train", "Runs train as a trial", async run =>
        {
            var handoff = TrialHandoff.From(run.Cake) ?? throw new InvalidOperationException("TrainElsewhere runs only for ExpRun --on");
            var epochs = System.Text.RegularExpressions.Regex.Match(System.IO.File.ReadAllText("params.yaml"), @"epochs: (\d+)").Groups[1].Value;
            var result = await handoff.RunAsync(new Dictionary<string, string> { ["EPOCHS"] = epochs }, new CakePipelineLog(run.Cake.Log), System.Threading.CancellationToken.None);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"the trial failed with exit code {result.ExitCode}: {result.Log}");
            }

            await run.Runner.CarryOutAsync(run.Plan, System.Threading.CancellationToken.None);
            new CakePipelineLog(run.Cake.Log).Information(result.Message ?? "");
        })
        {
            Place = "test-cluster",
            RunTrials = (context, batch, log, cancellationToken) =>
            {
                System.IO.File.AppendAllText(System.IO.Path.Combine(context.Environment.WorkingDirectory.FullPath, "batches.txt"), $"{string.Join(",", batch.Trials.Select(t => t.Experiment))}; {batch.Parallelism} at a time, {batch.RetriesPerTrial} retries\n");
                return System.Threading.Tasks.Task.FromResult<IReadOnlyList<TrialResult>>(batch.Trials.Select(t => t.Environment["EPOCHS"] == "13"
                    ? new TrialResult(3, null, "diverged: loss is NaN")
                    : new TrialResult(0, $"trained {t.Experiment} for {t.Environment["EPOCHS"]} epochs", "ok")).ToList());
            },
        };
        """;

    private const string Script = "RunTarget(PipelineTasks.Register(Context, Task, Teardown, new IStage[] { new Prepare(), new Train(), new Evaluate() }, new PipelineAdapters { RemoteStageTargets = [TrainElsewhere()] }));";

    private readonly CakeRepo repo = new(ExperimentTests.Stages + "\n" + Elsewhere, script: Script);

    [Fact]
    public async Task Queued_experiments_hand_their_stage_to_one_batch_a_failed_trial_fails_its_experiment_only_and_a_run_cache_hit_needs_no_trial()
    {
        repo.Git("init", "--quiet");
        repo.Write(".gitignore", "/prepared/\n/model/\n/.pipeline/\n/batches.txt\n");
        var baseline = await repo.CakeAsync();
        Assert.True(baseline.ExitCode == 0, baseline.Output);
        repo.Commit("baseline", ".gitignore", ".config/dotnet-tools.json", "cake.config", "build.cake", "params.yaml", "raw/a.txt", "raw/b.txt", "pipeline.lock", "metrics.json");
        var queued = await repo.CakeAsync("--target=Exp", "--queue", "--set=train.epochs=6,7,13", "--name=trial", "--experiment-runner=dotnet cake");
        Assert.True(queued.ExitCode == 0, queued.Output);

        var run = await repo.CakeAsync("--target=ExpRun", "--on=test-cluster", "--parallelism=2", "--retries=1", "--experiment-runner=dotnet cake");
        var again = await repo.CakeAsync("--target=Exp", "--queue", "--set=train.epochs=6", "--name=same-as-first", "--experiment-runner=dotnet cake");
        var cached = await repo.CakeAsync("--target=ExpRun", "--on=test-cluster", "--experiment-runner=dotnet cake");
        var nowhere = await repo.CakeAsync("--target=ExpRun", "--on=nowhere", "--experiment-runner=dotnet cake");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("Error: ExpRun: 1 of 3 experiments failed (trial-3); their logs and workspaces are kept (ExpQueue lists them)", run.ErrorLine);
        Assert.Contains("Running 3 queued experiments, their stage 'train' on test-cluster, 2 at a time", run.Output, StringComparison.Ordinal);
        Assert.Contains("[trial-1] trained trial-1 for 6 epochs", run.Output, StringComparison.Ordinal);
        Assert.Contains("Recorded experiment trial-2: metrics.json:val_acc 0.", run.Output, StringComparison.Ordinal);
        Assert.Contains("diverged: loss is NaN", await File.ReadAllTextAsync(repo[".pipeline/experiments/trial-3.log"]), StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.True(cached.ExitCode == 0, cached.Output);
        Assert.Contains("[same-as-first] Stage 'train' restored from the run-cache", cached.Output, StringComparison.Ordinal);
        Assert.Equal(["trial-1,trial-2,trial-3; 2 at a time, 1 retries"], await File.ReadAllLinesAsync(repo["batches.txt"]));
        Assert.Equal("Error: ExpRun --on=nowhere: no target of this pipeline runs experiments there (places: test-cluster)", nowhere.ErrorLine);
        Assert.False(Directory.Exists(repo[".pipeline/experiments/trials"]) && Directory.EnumerateFileSystemEntries(repo[".pipeline/experiments/trials"]).Any());
    }

    public void Dispose() => repo.Dispose();
}
