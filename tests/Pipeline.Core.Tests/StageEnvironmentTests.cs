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

        var environment = await StageEnvironment.ForAsync(Stamp, repo.Root, new RecordingLog([]), CancellationToken.None);

        Assert.Empty(environment);
    }

    [Fact]
    public async Task A_depth_1_clone_fetches_the_history_it_lacks_and_gets_the_full_clones_revision_and_time()
    {
        var sourceCommit = CommitSourceThenDocs();
        using var folder = new TempFolder();
        TestGit.Run(folder.Path, "clone", "--quiet", "--bare", repo.Root, "origin.git");
        TestGit.Run(folder.Path, "clone", "--quiet", "--depth=1", $"file://{folder["origin.git"]}", "shallow");
        var messages = new List<string>();

        var environment = await StageEnvironment.ForAsync(Stamp, folder["shallow"], new RecordingLog([], messages), CancellationToken.None);

        Assert.Equal(sourceCommit, $"{environment[StageEnvironment.SourceRevision]} {environment[StageEnvironment.SourceDateEpoch]}");
        Assert.Equal(["Shallow clone: fetching 50 more commits to find the commit that last changed stage 'stamp''s dependencies"], messages);
    }

    [Fact]
    public async Task A_shallow_clone_that_cannot_fetch_its_history_fails_with_one_line_saying_what_to_do()
    {
        CommitSourceThenDocs();
        using var folder = new TempFolder();
        TestGit.Run(folder.Path, "clone", "--quiet", "--depth=1", $"file://{repo.Root}", "shallow");
        TestGit.Run(folder["shallow"], "remote", "remove", "origin");

        var error = await Assert.ThrowsAsync<PipelineException>(() =>
            StageEnvironment.ForAsync(Stamp, folder["shallow"], new RecordingLog([]), CancellationToken.None));

        Assert.StartsWith("stage 'stamp': this is a shallow clone and the commit that last changed the stage's dependencies lies beyond its history; fetching more failed (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("). Run 'git fetch --unshallow' (in GitHub Actions: actions/checkout with fetch-depth: 0)", error.Message, StringComparison.Ordinal);
    }

    // One commit that changes the stage's dependency, then two that do not; returns the first's "sha time".
    private string CommitSourceThenDocs()
    {
        repo.Git("init", "--quiet");
        repo.Write("src/model.txt", "layers: 3");
        TestGit.Commit(repo.Root, "model source", "src");
        var sourceCommit = repo.Git("log", "-1", "--format=%H %ct").Trim();
        foreach (var text in new[] { "docs", "more docs" })
        {
            repo.Write("README.md", text);
            TestGit.Commit(repo.Root, text, "README.md");
        }

        return sourceCommit;
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
