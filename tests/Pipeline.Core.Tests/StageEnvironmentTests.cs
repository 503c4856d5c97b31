using Pipeline.Core.Execution;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Tests;

/// <summary>
/// A stage's command learns the last commit that changed its dependencies, not HEAD, so an output that records its
/// source is the same in any clone and on later commits that change other files.
/// </summary>
public sealed class StageEnvironmentTests : IDisposable
{
    private static readonly StageDefinition Stamp = new("stamp", ScenarioRepo.Shell("mkdir -p out && echo \"$PIPELINE_SOURCE_REVISION $SOURCE_DATE_EPOCH\" > out/stamp"))
    {
        Dependencies = ["src"],
        Outputs = ["out"],
    };

    private readonly ScenarioRepo repo = new();
    private readonly ScenarioRepo clone = new();

    [Fact]
    public async Task The_command_gets_the_last_commit_of_its_dependencies_and_a_clone_on_a_later_commit_writes_the_same_output()
    {
        repo.Git("init", "--quiet");
        repo.Write("src/model.txt", "layers: 3");
        repo.Write(".gitignore", "out/\n.pipeline/\npipeline.lock\n");
        TestGit.Commit(repo.Root, "model source", "src", ".gitignore");
        var sourceCommit = repo.Git("log", "-1", "--format=%H %ct").Trim();
        repo.Write("README.md", "docs");
        TestGit.Commit(repo.Root, "docs only", "README.md");

        await repo.ReproAsync(stages: [Stamp]);
        // The scenario folder already holds files, so "clone" is init + fetch + checkout.
        clone.Git("init", "--quiet");
        clone.Git("fetch", "--quiet", repo.Root, "HEAD");
        clone.Git("checkout", "--quiet", "FETCH_HEAD");
        await clone.ReproAsync(stages: [Stamp]);

        Assert.Equal(sourceCommit, (await File.ReadAllTextAsync(repo["out/stamp"])).Trim());
        Assert.Equal(await OutputHashAsync(repo), await OutputHashAsync(clone));
    }

    [Fact]
    public async Task Outside_git_the_command_keeps_the_variables_it_inherited()
    {
        repo.Write("src/model.txt", "layers: 3");

        var environment = await StageEnvironment.ForAsync(Stamp, repo.Root, CancellationToken.None);

        Assert.Empty(environment);
    }

    public void Dispose()
    {
        repo.Dispose();
        clone.Dispose();
    }

    private static async Task<string> OutputHashAsync(ScenarioRepo scenario)
    {
        await using var workspace = await scenario.OpenAsync();
        return (await workspace.LockFiles.ReadAsync(CancellationToken.None)).Find("stamp")!.Outputs.Single().Content.Hash.Value;
    }
}
