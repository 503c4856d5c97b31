using System.Text.Json.Nodes;
using Pipeline.GitHub;
using Pipeline.Reports;
using Pipeline.Testing.GitHub;
using Pipeline.Testing.Containers;

namespace Planets.Build.Tests.Workflows;

/// <summary>
/// The workflows run end to end as a GitHub-hosted runner runs them: their steps in order, as an unprivileged user
/// with passwordless sudo in the docker group, in a fresh clone of an origin that holds this repository and pull
/// request 7 (a change of the training seed); the data remote (and the remote the deployed service ships its prediction
/// log to) is a real S3-compatible server, images go to a real registry through a real Docker engine, the cluster and
/// the GitHub API are the emulators.
/// </summary>
/// <remarks>
/// The test step runs one small test class (<c>scripts/test.sh --filter</c>) after building everything as the
/// workflow does: the whole suite is what runs this test.
/// </remarks>
public sealed class HostedRunnerTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hosted-runner-tests", Guid.NewGuid().ToString("N"));

    private string Origin => Path.Combine(folder, "origin.git");

    private string CacheStore => Path.Combine(folder, "actions-cache");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // The report links the run, whose artifact holds the plots page with its charts' scripts inline.
    private static void AssertPlotsPageLinked(HostedRunner runner, string report, System.Text.Json.Nodes.JsonObject contexts)
    {
        var run = $"https://github.com/{contexts["github"]!["repository"]}/actions/runs/{contexts["github"]!["run_id"]}";
        Assert.Contains($"Interactive charts of the plot data, origin/main and workspace on each: [plots.html]({run})", report, StringComparison.Ordinal);
        var page = System.Text.Encoding.UTF8.GetString(runner.Artifacts["plots/plots.html"]);
        Assert.Contains("vegaEmbed('#chart-' + i", page, StringComparison.Ordinal);
        Assert.Contains("Loss per epoch", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pull_request_from_a_fork_runs_green_with_no_secret_and_reports_into_the_job_summary_pushing_nothing()
    {
        using var runner = await HostedRunner.StartAsync(CacheStore);
        var merge = await OriginWithPullRequestAsync();
        var refsBefore = OriginGit("for-each-ref");
        var contexts = RunnerContexts.PullRequest(fork: true);
        contexts["github"]!["sha"] = merge;

        var succeeded = await RunPullRequestWorkflowAsync(runner, contexts, RunnerMachine.Plain);

        Assert.True(succeeded, runner.Log);
        Assert.Contains("::notice title=Experiment report::this pull request comes from the fork someone/planets, whose token may not comment; the report is in the job summary", runner.Log, StringComparison.Ordinal);
        var summary = await File.ReadAllTextAsync(runner.Summary);
        Assert.StartsWith(MarkdownReport.Marker, summary, StringComparison.Ordinal);
        Assert.Contains("| params.yaml | train.seed | 77 | 78 |", summary, StringComparison.Ordinal);
        AssertPlotsPageLinked(runner, summary, contexts);
        Assert.Equal(refsBefore, OriginGit("for-each-ref"));
        Assert.Equal(merge, (await runner.AsUserAsync("git rev-parse HEAD")).Output.Trim());
    }

    [Fact]
    public async Task The_repositorys_own_pull_request_trains_in_a_pod_pushes_commits_its_lock_to_the_branch_and_comments_and_the_next_run_commits_nothing()
    {
        using var first = await HostedRunner.StartAsync(CacheStore);
        var head = await OriginWithPullRequestAsync();
        await using var services = await RunnerServices.StartAsync(podsInDocker: true);
        await using var github = await GitHubEmulator.StartAsync();
        var machine = services.Machine(new Dictionary<string, string>
        {
            ["GITHUB_API_URL"] = github.Url.ToString(),
            ["CAKE_CONTAINERS_TRAININGBASEIMAGE"] = DockerServers.BaseImage,
        });
        var contexts = services.Secrets(RunnerContexts.PullRequest(fork: false, trainingCluster: true));
        contexts["github"]!["token"] = github.Token;
        contexts["github"]!["sha"] = head;

        var succeeded = await RunPullRequestWorkflowAsync(first, contexts, machine);

        Assert.True(succeeded, first.Log);
        Assert.Matches(@"Stage 'train' ran in pod train-[\w-]+; its outputs are checked out and recorded in pipeline.lock", first.Log);
        Assert.Contains("Stage 'train' didn't change, skipping", first.Log, StringComparison.Ordinal);
        Assert.Single(services.Cluster.DeletedPods);
        var committed = OriginGit("rev-parse", "refs/heads/feature").Trim();
        Assert.Equal(head, OriginGit("rev-parse", $"{committed}^").Trim());
        Assert.Equal("github-actions[bot]", OriginGit("log", "-1", "--format=%an", committed).Trim());
        Assert.Equal(["evaluation/metrics.json", "pipeline.lock"], OriginGit("show", "--name-only", "--format=", committed).Trim().Split('\n').Order(StringComparer.Ordinal));
        Assert.NotEmpty(await services.CachedObjectsAsync());
        var report = Assert.Single(github.Comments.Values, c => c.StartsWith(MarkdownReport.Marker, StringComparison.Ordinal));
        Assert.Contains("| params.yaml | train.seed | 77 | 78 |", report, StringComparison.Ordinal);
        AssertPlotsPageLinked(first, report, contexts);

        // The next run, on the commit the first pushed (a push with the workflow's own token starts none on GitHub):
        // nothing trains again, nothing is committed, the comment is updated in place.
        using var second = await HostedRunner.StartAsync(CacheStore);
        contexts["github"]!["sha"] = committed;
        contexts["github"]!["run_id"] = "43";
        Assert.True(await RunPullRequestWorkflowAsync(second, contexts, machine), second.Log);
        Assert.Contains("nothing to commit", second.Log, StringComparison.Ordinal);
        Assert.Single(services.Cluster.DeletedPods);
        Assert.Equal(committed, OriginGit("rev-parse", "refs/heads/feature").Trim());
        Assert.Single(github.Comments.Values, c => c.StartsWith(MarkdownReport.Marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Main_reproduces_pushes_its_outputs_builds_and_pushes_the_service_image_and_deploys_it_pinned_to_the_registrys_digest()
    {
        using var runner = await HostedRunner.StartAsync(CacheStore);
        TestGit.Run(Path.GetTempPath(), "clone", "--quiet", "--bare", "--branch", "main", RepositoryPaths.Root, Origin);
        await HostedRunner.GiveToUserAsync(Origin);
        var main = OriginGit("rev-parse", "main").Trim();
        await using var services = await RunnerServices.StartAsync(podsInDocker: false);
        var machine = services.Machine(new Dictionary<string, string> { ["CAKE_CONTAINERS_BASEIMAGE"] = DockerServers.BaseImage });
        var contexts = services.Secrets(RunnerContexts.PushToMain());
        contexts["github"]!["sha"] = main;

        var steps = WorkflowPlan.For(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "main.yml"), "reproduce", contexts, RepositoryPaths.Root);
        var succeeded = await runner.RunAsync(steps, (JsonObject)contexts["github"]!, Origin, machine, SmallTestRun);

        Assert.True(succeeded, runner.Log);
        Assert.NotEmpty(await services.CachedObjectsAsync());
        var digest = await services.DigestAsync("planets-service", main[..12]);
        var image = $"{services.Registry}/planets-service@{digest}";
        Assert.Contains($"Deployed {image} to namespace default: revision 1", runner.Log, StringComparison.Ordinal);
        var deployment = Assert.Single(services.Cluster.List("deployments", "default"));
        Assert.Equal(image, (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        // The job reproduced main's commit: the lock file it wrote is the committed one, and nothing else changed.
        Assert.Equal(string.Empty, (await runner.AsUserAsync("git status --porcelain")).Output);
    }

    [Fact]
    public async Task The_daily_monitoring_run_finds_drift_in_the_shipped_predictions_updates_the_open_alert_and_keeps_the_report()
    {
        using var runner = await HostedRunner.StartAsync(CacheStore);
        TestGit.Run(Path.GetTempPath(), "clone", "--quiet", "--bare", "--branch", "main", RepositoryPaths.Root, Origin);
        await HostedRunner.GiveToUserAsync(Origin);
        await using var services = await RunnerServices.StartAsync(podsInDocker: false);
        await using var github = await GitHubEmulator.StartAsync();
        github.AddIssue(new EmulatedIssue(12, DriftAlertPublisher.Title, "yesterday's drift", [DriftAlertPublisher.Label]));
        await services.ShipPredictionsAsync(DarkPredictions(DateTimeOffset.UtcNow.AddHours(-1)));
        var machine = services.Machine(new Dictionary<string, string> { ["GITHUB_API_URL"] = github.Url.ToString() });
        var contexts = services.Secrets(RunnerContexts.Scheduled());
        contexts["github"]!["token"] = github.Token;
        contexts["github"]!["sha"] = OriginGit("rev-parse", "main").Trim();

        var steps = WorkflowPlan.For(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "monitor.yml"), "drift", contexts, RepositoryPaths.Root);
        var succeeded = await runner.RunAsync(steps, (JsonObject)contexts["github"]!, Origin, machine);

        // A drift is a red run, an updated alert (the open one, never a second) and the report kept.
        Assert.False(succeeded, runner.Log);
        Assert.Contains("Fetched 1 prediction log files from remote 'predictions'", runner.Log, StringComparison.Ordinal);
        Assert.Matches(@"Error: drift: \d of \d columns drifted", runner.Log);
        var alert = Assert.Single(github.Issues.Values);
        Assert.Equal(12, alert.Number);
        Assert.StartsWith("**drift: ", alert.Body, StringComparison.Ordinal);
        Assert.Contains("[report.html](https://github.com/octo/planets/actions/runs/42)", alert.Body, StringComparison.Ordinal);
        Assert.StartsWith("Still drifting: drift: ", github.Comments[Assert.Single(github.CommentIssues, c => c.Value == 12).Key], StringComparison.Ordinal);
        var report = System.Text.Encoding.UTF8.GetString(runner.Artifacts["drift-report/report.html"]);
        Assert.Contains("<h1>Drift</h1>", report, StringComparison.Ordinal);
    }

    // What a service logs for photographs far brighter than any the model was trained on: every feature off, every
    // answer the same, unsure, and another last hidden layer.
    private static byte[] DarkPredictions(DateTimeOffset time) => System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i =>
        System.Text.Json.JsonSerializer.Serialize(new Pipeline.Monitoring.PredictionRecord
        {
            Time = time.AddSeconds(i),
            RequestId = $"r{i}",
            Model = "planets-classifier:deployed",
            PredictedLabel = "Moon",
            Confidence = 0.2 + (i % 10 * 0.01),
            Entropy = 2.2 + (i % 10 * 0.01),
            Features = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [
                KeyValuePair.Create("image_max", 1.0), KeyValuePair.Create("image_mean", 0.9 - (i % 10 * 0.01)),
                KeyValuePair.Create("image_min", 0.6), KeyValuePair.Create("image_std", 0.05 + (i % 10 * 0.001)),
            ]),
            Embedding = [.. Enumerable.Range(0, 64).Select(j => (float)(5 + ((i + j) % 7)))],
        }, Pipeline.Monitoring.PredictionRecord.Json) + "\n")));

    private async Task<bool> RunPullRequestWorkflowAsync(HostedRunner runner, JsonObject contexts, RunnerMachine machine)
    {
        var steps = WorkflowPlan.For(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "pull-request.yml"), "experiment", contexts, RepositoryPaths.Root);
        return await runner.RunAsync(steps, (JsonObject)contexts["github"]!, Origin, machine, SmallTestRun);
    }

    // The whole suite is what runs these tests: the test step runs one small class, after building everything.
    private static string? SmallTestRun(PlannedStep step) =>
        step.Run == "bash scripts/test.sh" ? "bash scripts/test.sh --filter FullyQualifiedName~Planets.Build.Tests.ArchitectureTests" : null;

    // A bare origin with this repository's HEAD as main, and pull request 7 (one change of params.yaml) as GitHub keeps
    // it: the branch feature, refs/pull/7/head and refs/pull/7/merge; it belongs to the runner's user, as a remote
    // repository is nobody's on the runner (git refuses to read another user's).
    private async Task<string> OriginWithPullRequestAsync()
    {
        TestGit.Run(Path.GetTempPath(), "clone", "--quiet", "--bare", "--branch", "main", RepositoryPaths.Root, Origin);
        var work = Path.Combine(folder, "work");
        TestGit.Run(Path.GetTempPath(), "clone", "--quiet", Origin, work);
        var parameters = Path.Combine(work, "params.yaml");
        var before = await File.ReadAllTextAsync(parameters);
        Assert.Contains("train:\n  seed: 77", before, StringComparison.Ordinal);
        await File.WriteAllTextAsync(parameters, before.Replace("train:\n  seed: 77", "train:\n  seed: 78", StringComparison.Ordinal));
        TestGit.Commit(work, "A change of the training seed", "params.yaml");
        TestGit.Run(work, "push", "--quiet", "origin", "HEAD:refs/heads/feature", "HEAD:refs/pull/7/head", "HEAD:refs/pull/7/merge");
        var head = TestGit.Run(work, "rev-parse", "HEAD").Trim();
        await HostedRunner.GiveToUserAsync(Origin);
        return head;
    }

    private string OriginGit(params string[] arguments) => TestGit.Run(Origin, ["-c", "safe.directory=*", .. arguments]);
}
