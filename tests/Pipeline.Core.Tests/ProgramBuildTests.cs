using Pipeline.Core.Execution;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Tests;

/// <summary>
/// A stage whose program is built from sources in the repository always runs the program its current sources give:
/// the lock file never records new sources beside outputs of an old binary.
/// </summary>
public sealed class ProgramBuildTests : IDisposable
{
    // The "compiler" copies the source into bin/ and counts its builds; a source holding "syntax error" fails to
    // build, printing a compiler-like error line. It also keeps the sources hash it was given.
    private static readonly StageProgram Tool = new("tool", ScenarioRepo.Shell(
        "if grep -q 'syntax error' tool/tool.sh; then echo 'tool/tool.sh(1): error: syntax error' >&2; exit 1; fi; " +
        "mkdir -p bin && cp tool/tool.sh bin/tool.sh && echo \"$PIPELINE_PROGRAM_SOURCES\" >> runs/builds"))
    {
        Sources = ["tool"],
        Outputs = ["bin/tool.sh"],
    };

    private static readonly StageDefinition Greet = new("greet", CommandLine.Of("sh", "bin/tool.sh"))
    {
        Program = Tool,
        Dependencies = ["tool", "raw"],
        Outputs = ["greeting"],
    };

    private readonly ScenarioRepo repo = new();

    public ProgramBuildTests() => repo.Write("tool/tool.sh", "echo hello > greeting\n");

    [Fact]
    public async Task The_program_is_built_before_its_first_run_and_not_again_while_nothing_changes()
    {
        var first = await ReproAsync();
        await File.AppendAllTextAsync(repo["raw/a.txt"], " more");
        var second = await ReproAsync();

        Assert.Equal(StageOutcome.Ran, first);
        Assert.Equal(StageOutcome.Ran, second);
        Assert.Single(Builds());
        Assert.Contains(repo.Messages, m => m == "Building program 'tool' (it has not been built by the pipeline here yet):");
        Assert.Equal("hello\n", await File.ReadAllTextAsync(repo["greeting"]));
    }

    [Fact]
    public async Task An_edited_source_is_built_before_the_stage_runs_so_the_output_comes_from_the_new_code()
    {
        await ReproAsync();
        repo.Write("tool/tool.sh", "echo bonjour > greeting\n");

        var outcome = await ReproAsync();

        Assert.Equal(StageOutcome.Ran, outcome);
        Assert.Equal(2, Builds().Length);
        Assert.Contains(repo.Messages, m => m == "Building program 'tool' (source tool changed since its last build):");
        Assert.Equal("bonjour\n", await File.ReadAllTextAsync(repo["greeting"]));
    }

    [Fact]
    public async Task A_program_rebuilt_or_replaced_by_other_means_is_built_again()
    {
        await ReproAsync();
        File.WriteAllText(repo["bin/tool.sh"], "echo stale > greeting\n");

        await ReproAsync(force: true);

        Assert.Equal(2, Builds().Length);
        Assert.Contains(repo.Messages, m => m == "Building program 'tool' (bin/tool.sh changed since its last build by the pipeline):");
        Assert.Equal("hello\n", await File.ReadAllTextAsync(repo["greeting"]));
    }

    [Fact]
    public async Task A_build_error_fails_the_stage_and_leaves_outputs_lock_and_cache_as_they_were()
    {
        await ReproAsync();
        var lockBefore = await File.ReadAllTextAsync(repo["pipeline.lock"]);
        var cacheBefore = CacheObjects();
        repo.Write("tool/tool.sh", "syntax error\n");

        var error = await Assert.ThrowsAsync<PipelineException>(() => ReproAsync());

        Assert.Equal(
            "stage 'greet': program 'tool' did not build: '" + Tool.Build + "' exited with code 1 (its errors are above); nothing ran and nothing was recorded",
            error.Message);
        Assert.Equal("hello\n", await File.ReadAllTextAsync(repo["greeting"]));
        Assert.Equal(lockBefore, await File.ReadAllTextAsync(repo["pipeline.lock"]));
        Assert.Equal(cacheBefore, CacheObjects());
    }

    [Fact]
    public async Task The_build_gets_the_hash_of_the_sources_it_builds_from()
    {
        await ReproAsync();
        await using var workspace = await repo.OpenAsync();

        var sources = await ProgramSources.OfAsync(Tool, repo.Root, workspace.Hasher, CancellationToken.None);

        Assert.Equal([sources.Hash.Value], Builds());
    }

    [Fact]
    public async Task A_dry_run_says_the_program_would_be_built_first()
    {
        await ReproAsync();
        repo.Write("tool/tool.sh", "echo bonjour > greeting\n");
        await using var workspace = await repo.OpenAsync();

        var plan = await repo.Runner(workspace).PlanAsync(Greet, new ReproOptions(), CancellationToken.None);

        Assert.Equal("greet: would run (dependency tool modified), after building its program 'tool' (source tool changed since its last build)", plan.Describe());
        Assert.Single(Builds());
    }

    [Fact]
    public async Task A_missing_source_is_one_error_naming_it()
    {
        Directory.Delete(repo["tool"], recursive: true);
        var stage = Greet with { Dependencies = ["raw"] };
        await using var workspace = await repo.OpenAsync();

        var error = await Assert.ThrowsAsync<PipelineException>(() => repo.Runner(workspace).ReproduceAsync(stage, new ReproOptions(), CancellationToken.None));

        Assert.Equal("stage 'greet': program 'tool': source 'tool' does not exist", error.Message);
    }

    public void Dispose() => repo.Dispose();

    private async Task<StageOutcome> ReproAsync(bool force = false)
    {
        await using var workspace = await repo.OpenAsync();
        return await repo.Runner(workspace).ReproduceAsync(Greet, new ReproOptions(force), CancellationToken.None);
    }

    private string[] Builds() => File.Exists(repo["runs/builds"]) ? File.ReadAllLines(repo["runs/builds"]) : [];

    private string[] CacheObjects() =>
        [.. Directory.EnumerateFiles(repo[".pipeline/cache"], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
}
