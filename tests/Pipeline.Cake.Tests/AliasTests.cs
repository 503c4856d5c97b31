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
            Information("first: " + Outcomes(Repro(stages)));
            Information("again: " + Outcomes(Repro(stages)));
            Information("forced: " + Outcomes(Repro(stages, new ReproSettings { Stage = "train", Force = true })));
            var pushed = PushData(new DataRemoteSettings { Remote = "backup", Jobs = 2 });
            Information($"pushed: {pushed.Transferred}, failed: {pushed.Failed.Count}");
            var status = DataRemoteStatus();
            Information($"status: {status.InSync} in sync, {status.LocalOnly.Count} local only");
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
    public async Task Repro_and_PushData_run_from_a_script_of_its_own_and_return_what_happened()
    {
        var result = await repo.CakeAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("first: prepare=Ran,train=Ran,evaluate=Ran", result.Output, StringComparison.Ordinal);
        Assert.Contains("again: prepare=Skipped,train=Skipped,evaluate=Skipped", result.Output, StringComparison.Ordinal);
        Assert.Contains("forced: prepare=Ran,train=Ran", result.Output, StringComparison.Ordinal); // as dvc repro -f: the stage and what it depends on
        Assert.Equal((2, 2, 1), (repo.Runs("prepare"), repo.Runs("train"), repo.Runs("evaluate")));
        Assert.Contains("pushed: 5, failed: 0", result.Output, StringComparison.Ordinal); // prepared/all, model/weights, metrics.json, two manifests
        Assert.Contains("status: 5 in sync, 0 local only", result.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(Remote, "files", "md5")));
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
