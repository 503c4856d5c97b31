using Pipeline.Core.LockFiles;
using Pipeline.Core.Workspace;

namespace Pipeline.Cake.Tests;

public sealed class ReproTargetTests
{
    [Fact]
    public async Task A_second_Repro_skips_every_stage()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);

        var first = await repo.CakeAsync("--target=Repro");
        var second = await repo.CakeAsync("--target=Repro");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        await repo.AssertSkippedAfterOneRunAsync(second, "prepare", "train", "evaluate");
    }

    [Fact]
    public async Task Status_says_which_parameter_changed_and_stage_runs_its_upstream_only()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        await repo.CakeAsync();
        repo.Write("params.yaml", "prepare:\n  seed: 78\ntrain:\n  epochs: 5\n");

        var status = await repo.CakeAsync("--target=Status");
        var trainOnly = await repo.CakeAsync("--stage=prepare");

        Assert.Contains("prepare: parameter prepare.seed changed: 77 -> 78", status.Output, StringComparison.Ordinal);
        Assert.True(trainOnly.ExitCode == 0, trainOnly.Output);
        Assert.Equal(2, repo.Runs("prepare"));
        Assert.Equal(1, repo.Runs("train"));
    }

    [Fact]
    public async Task Malformed_params_yaml_is_one_error_line_and_a_non_zero_exit()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        repo.Write("params.yaml", "prepare:\n  seed: 77\n   oops: [\n");

        var result = await repo.CakeAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("Error: params.yaml: line 3, column", result.ErrorLine, StringComparison.Ordinal);
        Assert.False(File.Exists(repo["pipeline.lock"]));
    }

    [Fact]
    public async Task An_unknown_stage_is_one_error_line_naming_the_stages()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);

        var result = await repo.CakeAsync("--stage=trian");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("Error: unknown stage 'trian'; the stages are: prepare, train, evaluate", result.ErrorLine);
    }

    [Fact]
    public async Task A_missing_dependency_is_one_error_line()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        Directory.Delete(repo["raw"], recursive: true);

        var result = await repo.CakeAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("Error: stage 'prepare': dependency 'raw' does not exist", result.ErrorLine);
    }

    [Fact]
    public async Task A_cycle_is_one_error_line()
    {
        const string cyclic = """
            sealed class A : IStage { public StageDefinition Definition { get; } = new("a", CommandLine.Of("true")) { Dependencies = ["b.out"], Outputs = ["a.out"] }; }
            sealed class B : IStage { public StageDefinition Definition { get; } = new("b", CommandLine.Of("true")) { Dependencies = ["a.out"], Outputs = ["b.out"] }; }
            """;
        using var repo = new CakeRepo(cyclic, "new IStage[] { new A(), new B() }");

        var result = await repo.CakeAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("Error: cycle in the pipeline: a -> b -> a (each stage reads the output of the next)", result.ErrorLine);
    }

    [Fact]
    public async Task SIGTERM_mid_stage_stops_the_stage_records_nothing_of_it_and_releases_the_lock()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        repo.Write("hold", "");
        using (var run = repo.Start())
        {
            await repo.WaitForFileAsync("started", TimeSpan.FromSeconds(60));
            Assert.Equal(0, RunningProcesses.Signal(run.Id, 15));
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await run.WaitForExitAsync(stopped.Token);
            Assert.NotEqual(0, run.ExitCode);
        }

        // The stage's own process (a shell waiting while 'hold' exists, in the repository) was stopped with the run.
        Assert.Empty(RunningProcesses.In(repo.Root));
        await using (var workspace = await PipelineWorkspace.OpenAsync(repo.Root, new PipelineSettings(), CancellationToken.None))
        {
            Assert.Equal(["prepare"], (await workspace.LockFiles.ReadAsync(CancellationToken.None)).Stages.Keys);
        }

        File.Delete(repo["hold"]);
        var rerun = await repo.CakeAsync();
        Assert.True(rerun.ExitCode == 0, rerun.Output);
        Assert.Equal(1, repo.Runs("train"));
    }

    [Fact]
    public async Task A_run_killed_mid_way_leaves_no_lock_entry_pointing_at_missing_objects()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        repo.Write("hold", "");
        using (var run = repo.Start())
        {
            await repo.WaitForFileAsync("started", TimeSpan.FromSeconds(60));
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
        }

        await using (var workspace = await PipelineWorkspace.OpenAsync(repo.Root, new PipelineSettings(), CancellationToken.None))
        {
            var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);
            Assert.Equal(["prepare"], lockFile.Stages.Keys);
            foreach (var output in lockFile.Stages.Values.SelectMany(s => s.Outputs))
            {
                Assert.True(await workspace.Cache.IsIntactAsync(output.Content.Hash, CancellationToken.None), output.Path);
            }
        }

        File.Delete(repo["hold"]);
        var rerun = await repo.CakeAsync();

        Assert.True(rerun.ExitCode == 0, rerun.Output);
        Assert.Contains("Stage 'prepare' didn't change, skipping", rerun.Output, StringComparison.Ordinal);
        Assert.Equal(1, repo.Runs("train"));
    }

    [Fact]
    public async Task A_second_run_fails_naming_the_holder_or_waits_with_a_timeout()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);
        repo.Write("hold", "");
        using var first = repo.Start("--target=Repro");
        await repo.WaitForFileAsync("started", TimeSpan.FromSeconds(120));

        var refused = await repo.CakeAsync("--target=Status");
        var waiting = repo.CakeAsync("--target=Status", "--lock-timeout=300");
        await Task.Delay(TimeSpan.FromSeconds(3));
        File.Delete(repo["hold"]);
        var waited = await waiting;
        await first.WaitForExitAsync();

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Matches(@"^Error: the repository is locked by 'dotnet cake --target=Repro' \(pid \d+ on .+, since .+\); wait for it", refused.ErrorLine);
        Assert.True(waited.ExitCode == 0, waited.Output);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Pipeline is up to date.", waited.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lock_file_records_command_dependencies_parameters_and_outputs()
    {
        using var repo = new CakeRepo(CakeRepo.DefaultStages);

        await repo.CakeAsync();

        var lockFile = await new LockFileStore(repo["pipeline.lock"]).ReadAsync(CancellationToken.None);
        var prepare = lockFile.Find("prepare")!;
        Assert.StartsWith("sh -c 'mkdir -p prepared", prepare.Command, StringComparison.Ordinal);
        Assert.Equal("raw", Assert.Single(prepare.Dependencies).Path);
        Assert.Equal(2, prepare.Dependencies[0].Content.FileCount);
        Assert.Equal("77", prepare.Parameters["prepare.seed"].ToString());
        Assert.True(Assert.Single(prepare.Outputs).Content.Hash.IsDirectory);
    }
}
