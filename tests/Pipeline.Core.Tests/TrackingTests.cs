using Pipeline.Core.Tracking;
using Pipeline.Storage.Native;

namespace Pipeline.Core.Tests;

public sealed class TrackingTests : IDisposable
{
    private readonly ScenarioRepo repo = new();

    [Fact]
    public async Task Add_caches_the_folder_and_writes_a_pointer_and_a_gitignore_entry_beside_it()
    {
        repo.Write("data/raw/a.txt", "alpha");
        repo.Write("data/raw/b/c.txt", "gamma");
        repo.Write("data/.gitignore", "/other\n");
        await using var workspace = await repo.OpenAsync();
        var tracker = new TrackedData(workspace);

        var pointer = await tracker.AddAsync("data/raw/", ScenarioRepo.Stages, CancellationToken.None);
        await tracker.AddAsync("data/raw", ScenarioRepo.Stages, CancellationToken.None);

        var text = await File.ReadAllTextAsync(repo["data/raw.ptr"]);
        Assert.Contains("path: raw\nhash: md5\nmd5: ", text, StringComparison.Ordinal);
        Assert.Contains("nfiles: 2", text, StringComparison.Ordinal);
        Assert.Equal(pointer, PointerFile.Parse("data/raw.ptr", text));
        Assert.Equal("data/raw", pointer.Tracked.Path);
        Assert.Equal("/other\n/raw\n", await File.ReadAllTextAsync(repo["data/.gitignore"]));
        await workspace.Cache.EnsureCompleteAsync(pointer.Tracked.Content.Hash, CancellationToken.None);
        Assert.Equal([pointer], await tracker.FindAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("model", "--path: 'model' is an output of stage 'train'; the lock file tracks it already")]
    [InlineData("nowhere", "--path: 'nowhere' does not exist; expected a file or folder in the repository")]
    [InlineData("../outside", "--path: '../outside' is not a file or folder inside the repository")]
    public async Task Add_refuses_what_it_cannot_track_with_one_line(string path, string message)
    {
        await using var workspace = await repo.OpenAsync();

        var error = await Assert.ThrowsAsync<PipelineException>(
            () => new TrackedData(workspace).AddAsync(path, ScenarioRepo.Stages, CancellationToken.None));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Checkout_after_switching_branches_restores_the_other_content_touching_only_what_differs()
    {
        repo.Write("data/raw/same.txt", "unchanged");
        repo.Write("data/raw/edit.txt", "version one");
        repo.Git("init", "--quiet");
        await AddAsync("data/raw");
        await repo.ReproAsync();
        TestGit.Commit(repo.Root, "one", "data/raw.ptr", "data/.gitignore", "pipeline.lock", "params.yaml");
        repo.Git("checkout", "--quiet", "-b", "two");
        repo.Write("data/raw/edit.txt", "version two");
        repo.Write("data/raw/new.txt", "only in two");
        await AddAsync("data/raw");
        repo.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 9\n  lr: 0.0001\n");
        await repo.ReproAsync();
        var modelTwo = await File.ReadAllTextAsync(repo["model/weights"]);
        TestGit.Commit(repo.Root, "two", "data/raw.ptr", "pipeline.lock", "params.yaml");
        repo.Git("checkout", "--quiet", "main");
        var untouched = FileStat.Of(repo["data/raw/same.txt"]);

        await using var workspace = await repo.OpenAsync();
        var result = await new WorkspaceCheckout(workspace).RunAsync(CancellationToken.None);

        Assert.Equal("version one", await File.ReadAllTextAsync(repo["data/raw/edit.txt"]));
        Assert.False(File.Exists(repo["data/raw/new.txt"]));
        Assert.Equal(untouched, FileStat.Of(repo["data/raw/same.txt"]));
        Assert.NotEqual(modelTwo, await File.ReadAllTextAsync(repo["model/weights"]));
        Assert.Contains(new CheckedOutPath("data/raw", "data/raw.ptr", 1), result.Changed);
        Assert.Contains(result.Changed, c => c.Path == "model" && c.Source == "pipeline.lock");
        Assert.DoesNotContain(result.Changed, c => c.Path == "prepared");
        Assert.Empty(result.Failed);
        Assert.Empty(await new TrackedData(workspace).ChangedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_tracked_folder_edited_after_add_is_reported_as_modified()
    {
        repo.Write("data/raw/a.txt", "alpha");
        await AddAsync("data/raw");
        repo.Write("data/raw/a.txt", "ALPHA");

        await using var workspace = await repo.OpenAsync();
        var changed = await new TrackedData(workspace).ChangedAsync(CancellationToken.None);

        Assert.Equal(("data/raw", "modified"), (changed.Single().Pointer.Tracked.Path, changed.Single().How));
    }

    [Fact]
    public void A_damaged_pointer_file_is_named_in_one_line()
    {
        var error = Assert.Throws<PipelineException>(() => PointerFile.Parse("data/raw.ptr", "path: raw\nmd5: nope\n"));

        Assert.StartsWith("data/raw.ptr: not a valid pointer file (", error.Message, StringComparison.Ordinal);
    }

    private async Task AddAsync(string path)
    {
        await using var workspace = await repo.OpenAsync();
        await new TrackedData(workspace).AddAsync(path, ScenarioRepo.Stages, CancellationToken.None);
    }

    public void Dispose() => repo.Dispose();
}
