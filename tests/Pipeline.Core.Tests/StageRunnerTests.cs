using Pipeline.Core.Execution;
using Pipeline.Core.Parameters;
using Pipeline.Core.Status;
using Pipeline.Storage.Cache;

namespace Pipeline.Core.Tests;

public sealed class StageRunnerTests : IDisposable
{
    private readonly ScenarioRepo repo = new();

    [Fact]
    public async Task The_first_run_runs_every_stage_and_records_it()
    {
        var outcomes = await repo.ReproAsync();

        Assert.All(outcomes.Values, outcome => Assert.Equal(StageOutcome.Ran, outcome));
        var lockText = await File.ReadAllTextAsync(repo["pipeline.lock"]);
        Assert.Contains("train.epochs: 5", lockText, StringComparison.Ordinal);
        Assert.Contains("path: evaluation/metrics.json", lockText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_run_skips_every_stage()
    {
        await repo.ReproAsync();

        var outcomes = await repo.ReproAsync();

        Assert.All(outcomes.Values, outcome => Assert.Equal(StageOutcome.Skipped, outcome));
        Assert.Equal([1, 1, 1], new[] { repo.Runs("prepare"), repo.Runs("train"), repo.Runs("evaluate") });
    }

    [Fact]
    public async Task Changing_train_epochs_reruns_train_and_evaluate_only()
    {
        await repo.ReproAsync();
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 6\n  lr: 0.0001\n");

        var outcomes = await repo.ReproAsync();

        Assert.Equal(StageOutcome.Skipped, outcomes["prepare"]);
        Assert.Equal(StageOutcome.Ran, outcomes["train"]);
        Assert.Equal(StageOutcome.Ran, outcomes["evaluate"]);
    }

    [Fact]
    public async Task Status_names_the_parameter_and_both_values()
    {
        await repo.ReproAsync();
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 6\n  lr: 0.0001\n");
        await using var workspace = await repo.OpenAsync();
        var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);
        var parameters = await workspace.LoadParametersAsync(CancellationToken.None);

        var status = await new StatusChecker(workspace.WorkTree, workspace.Hasher).CheckAsync(
            ScenarioRepo.Stages[1], lockFile.Find("train"), parameters, CancellationToken.None);

        Assert.Equal("parameter train.epochs changed: 5 -> 6", status.Describe());
    }

    [Fact]
    public async Task A_changed_dependency_reruns_its_stage_and_everything_downstream()
    {
        await repo.ReproAsync();
        repo.Write("raw/a.txt", "ALPHA");

        var outcomes = await repo.ReproAsync();

        Assert.All(outcomes.Values, outcome => Assert.Equal(StageOutcome.Ran, outcome));
    }

    [Fact]
    public async Task An_unchanged_result_stops_the_rerun_from_spreading()
    {
        await repo.ReproAsync();
        repo.Write("raw/c.txt", "ignored by prepare");

        var outcomes = await repo.ReproAsync();

        Assert.Equal(StageOutcome.Ran, outcomes["prepare"]);
        Assert.Equal(StageOutcome.Skipped, outcomes["train"]);
    }

    [Theory]
    [InlineData(LinkType.Copy)]
    [InlineData(LinkType.Hardlink)]
    public async Task A_deleted_output_is_restored_from_the_cache_without_running(LinkType linkType)
    {
        using var linked = new ScenarioRepo(linkType);
        await linked.ReproAsync();
        var weights = await File.ReadAllTextAsync(linked["model/weights"]);
        Directory.Delete(linked["model"], recursive: true);
        Directory.Delete(linked["evaluation"], recursive: true);

        var outcomes = await linked.ReproAsync();

        Assert.Equal(StageOutcome.Restored, outcomes["train"]);
        Assert.Equal(StageOutcome.Restored, outcomes["evaluate"]);
        Assert.Equal(1, linked.Runs("train"));
        Assert.Equal(weights, await File.ReadAllTextAsync(linked["model/weights"]));
    }

    [Fact]
    public async Task A_corrupted_cache_object_is_never_checked_out_and_the_stage_runs_instead()
    {
        await repo.ReproAsync();
        await using (var workspace = await repo.OpenAsync())
        {
            var weights = (await workspace.Hasher.HashAsync(repo["model/weights"], CancellationToken.None)).Info.Hash;
            CacheFiles.Corrupt(workspace.Cache.PathOf(weights));
        }

        Directory.Delete(repo["model"], recursive: true);

        var outcomes = await repo.ReproAsync();

        Assert.Equal(StageOutcome.Ran, outcomes["train"]);
        Assert.Contains(repo.Warnings, w => w.Contains("is corrupt", StringComparison.Ordinal));
        Assert.DoesNotContain("tampered", await File.ReadAllTextAsync(repo["model/weights"]), StringComparison.Ordinal);
        await using var reopened = await repo.OpenAsync();
        var hash = (await reopened.Hasher.HashAsync(repo["model/weights"], CancellationToken.None)).Info.Hash;
        Assert.True(await reopened.Cache.IsIntactAsync(hash, CancellationToken.None));
    }

    [Fact]
    public async Task Force_runs_stages_that_did_not_change()
    {
        await repo.ReproAsync();

        var outcomes = await repo.ReproAsync(force: true);

        Assert.All(outcomes.Values, outcome => Assert.Equal(StageOutcome.Ran, outcome));
    }

    [Fact]
    public async Task A_missing_dependency_is_one_clear_error()
    {
        Directory.Delete(repo["raw"], recursive: true);

        var error = await Assert.ThrowsAsync<PipelineException>(() => repo.ReproAsync());

        Assert.Equal("stage 'prepare': dependency 'raw' does not exist", error.Message);
        Assert.False(File.Exists(repo["pipeline.lock"]));
    }

    [Fact]
    public async Task A_failing_command_records_nothing()
    {
        var failing = ScenarioRepo.Stages.Select(s => s.Name == "train" ? s with { Command = ScenarioRepo.Shell("exit 3") } : s).ToList();

        var error = await Assert.ThrowsAsync<PipelineException>(() => repo.ReproAsync(stages: failing));

        Assert.Equal("stage 'train' failed: 'sh -c 'exit 3'' exited with code 3", error.Message);
        await using var workspace = await repo.OpenAsync();
        var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);
        Assert.Equal(["prepare"], lockFile.Stages.Keys);
    }

    [Fact]
    public async Task A_declared_output_the_command_does_not_write_is_an_error()
    {
        var forgetful = ScenarioRepo.Stages.Select(s => s.Name == "evaluate" ? s with { Command = ScenarioRepo.Shell("true") } : s).ToList();

        var error = await Assert.ThrowsAsync<PipelineException>(() => repo.ReproAsync(stages: forgetful));

        Assert.Equal("stage 'evaluate' did not write its declared output 'evaluation/metrics.json'", error.Message);
    }

    [Fact]
    public async Task Every_recorded_output_is_in_the_cache()
    {
        await repo.ReproAsync();
        await using var workspace = await repo.OpenAsync();
        var lockFile = await workspace.LockFiles.ReadAsync(CancellationToken.None);

        foreach (var output in lockFile.Stages.Values.SelectMany(s => s.Outputs))
        {
            Assert.True(await workspace.Cache.IsIntactAsync(output.Content.Hash, CancellationToken.None), output.Path);
        }
    }

    [Fact]
    public async Task Parameter_values_compare_by_meaning_not_spelling()
    {
        await repo.ReproAsync();
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 5\n  lr: 1e-4\n");

        var outcomes = await repo.ReproAsync();

        Assert.Equal(StageOutcome.Skipped, outcomes["train"]);
        Assert.Equal(ParameterValue.Of(0.0001), ParameterValue.FromPlainScalar("1e-4"));
    }

    public void Dispose() => repo.Dispose();
}
