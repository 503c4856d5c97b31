namespace Pipeline.Cake.Tests;

/// <summary>
/// <c>CommitLock</c> as a CI run uses it after Repro and Push: the lock file and metrics committed to the branch and
/// pushed, only when they changed (so a second run commits nothing), nothing else of the index, and one line for what
/// cannot be done.
/// </summary>
public sealed class CommitLockTests : IDisposable
{
    private const string Bot = "CI Bot <ci@example.com>";
    private readonly CakeRepo repo = new(CakeRepo.DefaultStages);
    private readonly TempFolder remote = new();

    public void Dispose()
    {
        repo.Dispose();
        remote.Dispose();
    }

    [Fact]
    public async Task A_run_that_changed_the_lock_commits_it_with_the_metrics_and_pushes_and_the_next_run_commits_nothing()
    {
        CloneOfRemote();
        Assert.Equal(0, (await repo.CakeAsync()).ExitCode);
        repo.Write("raw/c.txt", "staged by the user, not the pipeline's to commit");
        repo.Git("add", "raw/c.txt");

        var first = await repo.CakeAsync("--target=CommitLock", "--push", $"--author={Bot}");
        var second = await repo.CakeAsync("--target=CommitLock", "--push", $"--author={Bot}");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Matches(@"Committed pipeline\.lock, metrics\.json as [0-9a-f]{12}", first.Output);
        Assert.Contains("to origin main", first.Output, StringComparison.Ordinal);
        Assert.Equal(["metrics.json", "pipeline.lock"], RemoteGit("show", "--name-only", "--format=", "main").Trim().Split('\n').Order(StringComparer.Ordinal));
        Assert.Equal("CI Bot <ci@example.com>", RemoteGit("log", "-1", "--format=%an <%ae>", "main").Trim());
        Assert.Equal("A  raw/c.txt", repo.Git("status", "--porcelain", "--", "raw/c.txt").Trim());
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("pipeline.lock, metrics.json: as committed; nothing to commit.", second.Output, StringComparison.Ordinal);
        Assert.Equal(2, int.Parse(RemoteGit("rev-list", "--count", "main").Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Before_any_stage_ran_there_is_nothing_to_commit_even_with_other_changes_staged()
    {
        CloneOfRemote();
        repo.Write("raw/c.txt", "staged by the user");
        repo.Git("add", "raw/c.txt");
        var head = repo.Git("rev-parse", "HEAD").Trim();

        var result = await repo.CakeAsync("--target=CommitLock", $"--author={Bot}");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("No pipeline.lock yet (no stage has run): nothing to commit.", result.Output, StringComparison.Ordinal);
        Assert.Equal(head, repo.Git("rev-parse", "HEAD").Trim());
    }

    [Fact]
    public async Task A_detached_head_or_a_malformed_author_is_one_line_and_commits_nothing()
    {
        CloneOfRemote();
        Assert.Equal(0, (await repo.CakeAsync()).ExitCode);
        var head = repo.Git("rev-parse", "HEAD").Trim();
        repo.Git("checkout", "--quiet", "--detach");

        var detached = await repo.CakeAsync("--target=CommitLock", "--push", $"--author={Bot}");
        var author = await repo.CakeAsync("--target=CommitLock", "--author=CI Bot");

        Assert.NotEqual(0, detached.ExitCode);
        Assert.StartsWith("Error: CommitLock --push: HEAD is detached; check out the branch to commit to", detached.ErrorLine, StringComparison.Ordinal);
        Assert.NotEqual(0, author.ExitCode);
        Assert.Equal("Error: --author: 'CI Bot' is not a git identity (expected Name <email>)", author.ErrorLine);
        Assert.Equal(head, repo.Git("rev-parse", "HEAD").Trim());
    }

    // The repository as a CI checkout has it: a clone of a remote, on its branch, with no pipeline results committed.
    private void CloneOfRemote()
    {
        TestGit.Run(remote.Path, "init", "--quiet", "--bare");
        repo.Git("init", "--quiet");
        repo.Write(".gitignore", "/prepared/\n/model/\n/.pipeline/\n/runs/\n");
        repo.Commit("pipeline", ".");
        repo.Git("remote", "add", "origin", remote.Path);
        repo.Git("push", "--quiet", "origin", "main");
    }

    private string RemoteGit(params string[] arguments) => TestGit.Run(remote.Path, arguments);
}
