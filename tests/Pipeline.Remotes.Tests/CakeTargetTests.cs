using System.Diagnostics;
using Amazon.S3.Model;
using CliWrap;
using CliWrap.Buffered;
using Pipeline.Remotes.Configuration;

namespace Pipeline.Remotes.Tests;

/// <summary>The Push and Pull targets under the real <c>dotnet cake</c>, killed with SIGKILL half-way and run again.</summary>
[Collection("s3")]
public sealed class CakeTargetTests(S3Fixture s3)
{
    private const int Files = 1500;

    [Fact]
    public async Task Push_and_pull_killed_half_way_complete_when_run_again_and_a_bad_remote_is_one_error_line()
    {
        using var repo = await TestRepo.WithDataAsync(Files);
        PrepareCake(repo);
        var total = Files + 2 + 1 + 2;

        repo.Configure(s3.Remote("storage", "s3://missing-bucket/cache"));
        var refused = await CakeAsync(repo, "--target=Push");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Equal($"Error: remote 'storage' (s3://missing-bucket/cache): bucket 'missing-bucket' does not exist at {s3.Server.Endpoint}; create it, or fix remotes.storage.url in pipeline.remotes.yaml", ErrorLine(refused.Output));
        Assert.DoesNotContain("   at ", refused.Output, StringComparison.Ordinal);

        var remote = await s3.NewRemoteAsync();
        repo.Configure(remote);
        var stoppedAt = await KillWhenAsync(repo, ["--target=Push", "--jobs=1"], () => CountOnRemoteAsync(remote));
        Assert.InRange(stoppedAt, 1, total - 1);
        var pushed = await CakeAsync(repo, "--target=Push");
        Assert.True(pushed.ExitCode == 0, pushed.Output);
        Assert.Equal(total, await CountOnRemoteAsync(remote));

        using var clone = repo.CloneCommitted();
        PrepareCake(clone);
        var cache = clone[".pipeline/cache/files/md5"];
        var forTrain = await CakeAsync(clone, "--target=Repro", "--pull");
        Assert.True(forTrain.ExitCode == 0, forTrain.Output);
        Assert.Contains("Stage 'train': fetched 3 objects", forTrain.Output, StringComparison.Ordinal);
        Assert.Equal(3, CountObjects(cache));
        Assert.Contains("Stage 'train' didn't change; restored from the cache (output model missing)", forTrain.Output, StringComparison.Ordinal);
        var fetchedAt = await KillWhenAsync(clone, ["--target=Pull", "--jobs=1"], () => Task.FromResult(CountObjects(cache)));
        Assert.InRange(fetchedAt, 1, total - 1);
        await AssertEveryCachedObjectIntactAsync(clone);

        // What a writer killed between creating its temporary file and renaming it leaves; the kill above may too.
        Directory.CreateDirectory(Path.Combine(cache, "ab"));
        File.WriteAllText(Path.Combine(cache, "ab", $".cdef.{Guid.NewGuid():N}.tmp"), "half an object");
        var pulled = await CakeAsync(clone, "--target=Pull");
        Assert.True(pulled.ExitCode == 0, pulled.Output);
        Assert.Contains("2 paths restored, 1 already matched", pulled.Output, StringComparison.Ordinal);
        Assert.Matches(@"Removed \d+ temporary files? that an interrupted transfer left in the cache\.", pulled.Output);
        Assert.Empty(Directory.EnumerateFiles(cache, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(repo.Snapshot("data", "notes.txt", "model"), clone.Snapshot("data", "notes.txt", "model"));
    }

    [Fact]
    public async Task RemoteGc_removes_what_only_another_branch_refers_to_unless_told_to_keep_all_branches()
    {
        using var repo = await TestRepo.WithDataAsync(5);
        PrepareCake(repo);
        var remote = await s3.NewRemoteAsync();
        repo.Configure(remote);
        TestGit.Run(repo.Root, "init", "--quiet");
        TestGit.Commit(repo.Root, "main", "data.ptr", "notes.txt.ptr", "pipeline.lock");
        Assert.Equal(0, (await CakeAsync(repo, "--target=Push")).ExitCode);
        TestGit.Run(repo.Root, "checkout", "--quiet", "-b", "experiment");
        repo.Write("notes.txt", "the experiment's notes\n");
        await using (var workspace = await repo.OpenAsync())
        {
            await new Core.Tracking.TrackedData(workspace).AddAsync("notes.txt", [], CancellationToken.None);
        }

        TestGit.Commit(repo.Root, "experiment", "notes.txt.ptr");
        Assert.Equal(0, (await CakeAsync(repo, "--target=Push")).ExitCode);
        var pushed = await CountOnRemoteAsync(remote);
        TestGit.Run(repo.Root, "checkout", "--quiet", "main");

        var keepAll = await CakeAsync(repo, "--target=RemoteGc", "--all-branches");
        Assert.True(keepAll.ExitCode == 0, keepAll.Output);
        Assert.Contains($"Removed 0 objects from {remote}", keepAll.Output, StringComparison.Ordinal);
        Assert.Contains($"kept {pushed} referenced by the workspace and 2 git commits.", keepAll.Output, StringComparison.Ordinal);
        Assert.Equal(pushed, await CountOnRemoteAsync(remote));

        var workspaceOnly = await CakeAsync(repo, "--target=RemoteGc");
        Assert.True(workspaceOnly.ExitCode == 0, workspaceOnly.Output);
        Assert.Contains($"Removed 1 object from {remote}", workspaceOnly.Output, StringComparison.Ordinal);
        Assert.Equal(pushed - 1, await CountOnRemoteAsync(remote));
    }

    [Fact]
    public async Task Push_after_the_cache_was_deleted_stores_what_the_workspace_holds_and_sends_it_all()
    {
        using var repo = await TestRepo.WithDataAsync(5);
        PrepareCake(repo);
        using var remote = TestRepo.Empty();
        repo.Configure(new RemoteDefinition("nas", remote.Root));
        Directory.Delete(repo[".pipeline/cache"], recursive: true);

        var pushed = await CakeAsync(repo, "--target=Push");

        Assert.True(pushed.ExitCode == 0, pushed.Output);
        Assert.Contains("Stored data in the cache from the workspace (6 objects) before pushing", pushed.Output, StringComparison.Ordinal);
        Assert.Contains("Stored model in the cache from the workspace (3 objects) before pushing", pushed.Output, StringComparison.Ordinal);
        Assert.Equal(5 + 1 + 1 + 2 + 1, CountObjects(remote["files/md5"]));
    }

    [Fact]
    public async Task A_target_that_needs_both_Repro_and_Push_runs_under_the_one_repository_lock()
    {
        using var repo = await TestRepo.WithDataAsync(5);
        PrepareCake(repo);
        using var remote = TestRepo.Empty();
        repo.Configure(new RemoteDefinition("nas", remote.Root));

        var result = await CakeAsync(repo, "--target=ReproThenPush");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Stage 'train' didn't change, skipping", result.Output, StringComparison.Ordinal);
        Assert.Contains("Pushed 10 objects", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("locked", result.Output, StringComparison.Ordinal);
    }

    private static async Task AssertEveryCachedObjectIntactAsync(TestRepo clone)
    {
        await using var workspace = await clone.OpenAsync();
        foreach (var hash in workspace.Cache.List())
        {
            Assert.True(await workspace.Cache.IsIntactAsync(hash, CancellationToken.None), $"{hash} is partial or corrupt");
        }
    }

    private async Task<int> CountOnRemoteAsync(RemoteDefinition remote)
    {
        var (bucket, prefix) = S3Fixture.Location(remote);
        using var client = s3.Client();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix + "/" };
        var count = 0;
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            count += page.S3Objects?.Count ?? 0;
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return count;
    }

    private static int CountObjects(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count(f => !f.EndsWith(".tmp", StringComparison.Ordinal)) : 0;

    /// <summary>Starts Cake, kills it (SIGKILL) once <paramref name="progress"/> reaches 50, and returns what it had reached.</summary>
    private static async Task<int> KillWhenAsync(TestRepo repo, string[] arguments, Func<Task<int>> progress)
    {
        var start = new ProcessStartInfo("dotnet", ["cake", .. arguments]) { WorkingDirectory = repo.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (await progress() < 50)
        {
            Assert.False(process.HasExited, $"dotnet cake {string.Join(' ', arguments)} ended before it could be killed");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "no progress within 90 s");
            await Task.Delay(20);
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        return await progress();
    }

    private static async Task<(int ExitCode, string Output)> CakeAsync(TestRepo repo, params string[] arguments)
    {
        var result = await Cli.Wrap("dotnet").WithArguments(["cake", .. arguments]).WithWorkingDirectory(repo.Root)
            .WithEnvironmentVariables(env => env.Set("NO_COLOR", "1")).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return (result.ExitCode, ConsoleText.Plain(result.StandardOutput + result.StandardError));
    }

    private static string ErrorLine(string output) =>
        output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("Error: ", StringComparison.Ordinal)) ?? "";

    private static void PrepareCake(TestRepo repo)
    {
        Directory.CreateDirectory(repo[".config"]);
        File.Copy(Path.Combine(RepositoryPaths.Root, ".config", "dotnet-tools.json"), repo[".config/dotnet-tools.json"], overwrite: true);
        File.Copy(Path.Combine(RepositoryPaths.Root, "cake.config"), repo["cake.config"], overwrite: true);
        var assemblies = AppContext.BaseDirectory;
        repo.Write("build.cake", $$"""
            #r "{{Path.Combine(assemblies, "Pipeline.Core.dll")}}"
            #r "{{Path.Combine(assemblies, "Pipeline.Cake.dll")}}"
            #r "{{Path.Combine(assemblies, "Pipeline.Remotes.dll")}}"
            #r "{{Path.Combine(assemblies, "Pipeline.Remotes.S3.dll")}}"
            using Pipeline.Cake;
            using Pipeline.Core.Stages;
            using Pipeline.Remotes;
            using Pipeline.Remotes.S3;
            // The stage the lock file records (TestRepo): Repro --pull fetches its objects, then restores its output.
            sealed class Train : IStage
            {
                public StageDefinition Definition { get; } = new("train", CommandLine.Of("train")) { Outputs = ["model"] };
            }

            var target = PipelineTasks.Register(Context, Task, Teardown, new IStage[] { new Train() }, new PipelineAdapters { RemoteKinds = new RemoteKinds().Add(new S3RemoteKind()) });
            // A target of the script's own that needs both a pipeline target and a remote one, as a CI job would.
            Task("ReproThenPush").IsDependentOn("Repro").IsDependentOn("Push");
            RunTarget(target);
            """);
    }
}
