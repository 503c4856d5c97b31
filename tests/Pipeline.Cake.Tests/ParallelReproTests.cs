using Pipeline.Core.Workspace;

namespace Pipeline.Cake.Tests;

/// <summary><c>Repro --jobs=N</c> on a diamond: source -> (left, right) -> join.</summary>
public sealed class ParallelReproTests
{
    // left and right each wait (up to 60 s) until the other has started: they finish only when run at once.
    // While 'hold' exists, right waits after that, so a test can stop the run with left recorded and right not.
    private const string Diamond = """
        static StageDefinition Stage(string name, string script, string[] deps, string output) =>
            new(name, CommandLine.Of("sh", "-c", script + $" && echo x >> runs/{name}")) { Dependencies = [.. deps], Outputs = [output] };

        static string Meet(string self, string other) =>
            $"touch {self}.started && i=0; while [ ! -f {other}.started ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; test -f {other}.started && echo {self} meets {other}";

        sealed class Source : IStage { public StageDefinition Definition { get; } = Stage("source", "cat raw/* > source.txt", ["raw"], "source.txt"); }
        sealed class Left : IStage { public StageDefinition Definition { get; } = Stage("left", Meet("left", "right") + " && cat source.txt > left.txt", ["source.txt"], "left.txt"); }
        sealed class Right : IStage { public StageDefinition Definition { get; } = Stage("right", Meet("right", "left") + " && while [ -f hold ]; do touch right.holding; sleep 0.1; done; cat source.txt > right.txt", ["source.txt"], "right.txt"); }
        sealed class Join : IStage { public StageDefinition Definition { get; } = Stage("join", "cat left.txt right.txt > join.txt", ["left.txt", "right.txt"], "join.txt"); }
        """;

    private const string Registration = "new IStage[] { new Source(), new Left(), new Right(), new Join() }";

    [Fact]
    public async Task Independent_stages_run_at_once_with_prefixed_output_and_every_stage_recorded()
    {
        using var repo = new CakeRepo(Diamond, Registration);

        var first = await repo.CakeAsync("--target=Repro", "--jobs=4");
        var second = await repo.CakeAsync("--target=Repro", "--jobs=4");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("[left] left meets right", first.Output, StringComparison.Ordinal);
        Assert.Contains("[right] right meets left", first.Output, StringComparison.Ordinal);
        Assert.True(first.Output.IndexOf("Running stage 'join'", StringComparison.Ordinal) > first.Output.IndexOf("Stage 'left' finished", StringComparison.Ordinal), first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        await repo.AssertSkippedAfterOneRunAsync(second, "source", "left", "right", "join");
    }

    [Fact]
    public async Task One_at_a_time_the_stages_that_must_meet_fail_and_the_failure_is_one_line()
    {
        using var repo = new CakeRepo(Diamond.Replace("$i -lt 600", "$i -lt 20", StringComparison.Ordinal), Registration);

        var result = await repo.CakeAsync("--target=Repro");

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("Error: stage 'left' failed", result.ErrorLine, StringComparison.Ordinal);
        Assert.Equal(0, repo.Runs("join"));
    }

    [Fact]
    public async Task Stopped_while_one_branch_runs_records_the_finished_branch_only_and_reruns_just_the_rest()
    {
        using var repo = new CakeRepo(Diamond, Registration);
        repo.Write("hold", "");
        using (var run = repo.Start("--target=Repro", "--jobs=2"))
        {
            await repo.WaitForFileAsync("right.holding", TimeSpan.FromSeconds(120));
            await WaitForRecordAsync(repo, "left");
            Assert.Equal(0, RunningProcesses.Signal(run.Id, 15));
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await run.WaitForExitAsync(stopped.Token);
            Assert.NotEqual(0, run.ExitCode);
        }

        await using (var workspace = await PipelineWorkspace.OpenAsync(repo.Root, new PipelineSettings(), CancellationToken.None))
        {
            var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);
            Assert.Equal(["left", "source"], lockFile.Stages.Keys.Order(StringComparer.Ordinal));
            foreach (var output in lockFile.Stages.Values.SelectMany(s => s.Outputs))
            {
                Assert.True(await workspace.Cache.IsIntactAsync(output.Content.Hash, CancellationToken.None), output.Path);
            }
        }

        File.Delete(repo["hold"]);
        var rerun = await repo.CakeAsync("--target=Repro", "--jobs=2");
        Assert.True(rerun.ExitCode == 0, rerun.Output);
        Assert.Equal(1, repo.Runs("left"));
        Assert.Equal(1, repo.Runs("join"));
    }

    private static async Task WaitForRecordAsync(CakeRepo repo, string stage)
    {
        for (var i = 0; i < 600 && !(File.Exists(repo["pipeline.lock"]) && File.ReadAllText(repo["pipeline.lock"]).Contains($"  {stage}:", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100);
        }
    }
}
