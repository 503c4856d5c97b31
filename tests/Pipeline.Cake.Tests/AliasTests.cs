namespace Pipeline.Cake.Tests;

/// <summary>A plain build script that registers no targets calls the pipeline through its aliases, as it would call DotNetBuild.</summary>
public sealed class AliasTests : IDisposable
{
    private const string Script = """
        var stages = new IStage[] { new Prepare(), new Train(), new Evaluate() };
        string Outcomes(IReadOnlyDictionary<string, Pipeline.Core.Execution.StageOutcome> outcomes) =>
            string.Join(",", outcomes.Select(o => $"{o.Key}={o.Value}"));
        Task("Nightly").Does(() =>
        {
            Information($"before: {PipelineStatus(stages).Stale.Count} stale");
            Information("first: " + Outcomes(Repro(stages)));
            Information($"after: up to date {PipelineStatus(stages).IsUpToDate}");
            Information("again: " + Outcomes(Repro(stages)));
            Information("forced: " + Outcomes(Repro(stages, new ReproSettings { Stage = "train", Force = true })));
            var pushed = PushData(new DataRemoteSettings { Remote = "backup", Jobs = 2 });
            Information($"pushed: {pushed.Transferred}, failed: {pushed.Failed.Count}");
            var status = DataRemoteStatus();
            Information($"status: {status.InSync} in sync, {status.LocalOnly.Count} local only");
            System.IO.Directory.Delete("model", recursive: true);
            Information("restored: " + string.Join(",", CheckoutData().Changed.Select(c => c.Path)));
            var gc = CollectGarbage(new Pipeline.Core.Maintenance.GcOptions(new Pipeline.Core.Maintenance.ReferenceScope(), DryRun: true));
            Information($"gc: {gc.Removed.Count} removable, {gc.Kept} kept");
        });
        Task("Broken").Does(() => Repro(stages, new ReproSettings { Stage = "tarin" }));
        RunTarget(Argument("target", "Nightly"));
        """;

    private readonly CakeRepo repo = new(CakeRepo.DefaultStages, script: Script);

    public AliasTests()
    {
        repo.Write("pipeline.remotes.yaml", $"default: backup\nremotes:\n  backup:\n    url: {Remote}\n");
    }

    [Fact]
    public async Task The_aliases_run_from_a_script_of_its_own_and_return_what_happened()
    {
        var result = await repo.CakeAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("before: 3 stale", result.Output, StringComparison.Ordinal);
        Assert.Contains("first: prepare=Ran,train=Ran,evaluate=Ran", result.Output, StringComparison.Ordinal);
        Assert.Contains("after: up to date True", result.Output, StringComparison.Ordinal);
        Assert.Contains("again: prepare=Skipped,train=Skipped,evaluate=Skipped", result.Output, StringComparison.Ordinal);
        Assert.Contains("forced: prepare=Ran,train=Ran", result.Output, StringComparison.Ordinal); // as dvc repro -f: the stage and what it depends on
        Assert.Equal((2, 2, 1), (repo.Runs("prepare"), repo.Runs("train"), repo.Runs("evaluate")));
        Assert.Contains("pushed: 5, failed: 0", result.Output, StringComparison.Ordinal); // prepared/all, model/weights, metrics.json, two manifests
        Assert.Contains("status: 5 in sync, 0 local only", result.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(Remote, "files", "md5")));
        Assert.Contains("restored: model", result.Output, StringComparison.Ordinal);
        Assert.Contains("gc: 0 removable, 5 kept", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(repo["model/weights"]));
    }

    [Fact]
    public async Task A_setting_that_names_no_stage_fails_with_one_line()
    {
        var result = await repo.CakeAsync("--target=Broken");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("tarin", result.ErrorLine, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        repo.Dispose();
        if (Directory.Exists(Remote))
        {
            foreach (var file in Directory.EnumerateFiles(Remote, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(Remote, recursive: true);
        }
    }

    private string Remote => repo.Root + "-remote";
}
