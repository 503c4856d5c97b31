namespace Pipeline.Models.Tests;

/// <summary>
/// Where a model's revision and creation time come from: the pipeline's variables when a stage runs (so every clone
/// records the same), else the repository's HEAD. Not run in parallel: the variables belong to the process.
/// </summary>
[Collection(nameof(ModelProvenanceTests))]
[CollectionDefinition(nameof(ModelProvenanceTests), DisableParallelization = true)]
public sealed class ModelProvenanceTests : IDisposable
{
    private readonly TempFolder _repository = new();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ModelProvenance.RevisionVariable, null);
        Environment.SetEnvironmentVariable(ModelProvenance.TimeVariable, null);
        _repository.Dispose();
    }

    [Fact]
    public async Task The_pipelines_variables_win_over_the_repository()
    {
        var head = CommitAt(1_600_000_000);
        Environment.SetEnvironmentVariable(ModelProvenance.RevisionVariable, "0123456789abcdef0123456789abcdef01234567");
        Environment.SetEnvironmentVariable(ModelProvenance.TimeVariable, "1700000000");

        var provenance = await ModelProvenance.DetectAsync(_repository.Path, CancellationToken.None);

        Assert.NotEqual(head, provenance.Revision);
        Assert.Equal(new ModelProvenance("0123456789abcdef0123456789abcdef01234567", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)), provenance);
    }

    [Fact]
    public async Task Run_by_hand_it_is_head_and_its_commit_time()
    {
        var head = CommitAt(1_600_000_000);

        var provenance = await ModelProvenance.DetectAsync(_repository.Path, CancellationToken.None);

        Assert.Equal(new ModelProvenance(head, DateTimeOffset.FromUnixTimeSeconds(1_600_000_000)), provenance);
    }

    [Fact]
    public async Task Outside_git_it_is_no_revision_and_now()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var provenance = await ModelProvenance.DetectAsync(_repository.Path, CancellationToken.None);

        Assert.Null(provenance.Revision);
        Assert.InRange(provenance.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    private string CommitAt(long seconds)
    {
        TestGit.Run(_repository.Path, "init", "--quiet");
        _repository.Write("a.txt", "a");
        TestGit.Run(_repository.Path, "add", "a.txt");
        // %ct, what a model records, is the committer's date.
        var commit = new System.Diagnostics.ProcessStartInfo("git", ["-c", "user.name=Pipeline Tests", "-c", "user.email=tests@example.com", "commit", "--quiet", "-m", "a"])
        {
            WorkingDirectory = _repository.Path,
            Environment = { ["GIT_COMMITTER_DATE"] = $"@{seconds} +0000" },
        };
        using (var process = System.Diagnostics.Process.Start(commit)!)
        {
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }

        return TestGit.Run(_repository.Path, "rev-parse", "HEAD").Trim();
    }
}
