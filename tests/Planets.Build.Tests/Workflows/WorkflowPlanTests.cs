namespace Planets.Build.Tests.Workflows;

/// <summary>
/// What a GitHub-hosted runner would run of each workflow, evaluated as the runner evaluates it: for the repository's
/// own pull request, a fork's (no secrets), one with a training cluster, a push to main, and the daily monitoring run.
/// </summary>
public sealed class WorkflowPlanTests
{
    private static readonly string PullRequestWorkflow = Path.Combine(RepositoryPaths.Root, ".github", "workflows", "pull-request.yml");
    private static readonly string MainWorkflow = Path.Combine(RepositoryPaths.Root, ".github", "workflows", "main.yml");
    private static readonly string MonitorWorkflow = Path.Combine(RepositoryPaths.Root, ".github", "workflows", "monitor.yml");
    private static readonly string[] Secrets = ["AKIA-TEST", "s3cret-key", "registry-user", "registry-password", "kubeconfig-text"];

    [Fact]
    public void The_repositorys_own_pull_request_reproduces_with_the_remote_pushes_commits_the_lock_to_its_branch_and_comments()
    {
        var steps = WorkflowPlan.For(PullRequestWorkflow, "experiment", RunnerContexts.PullRequest(fork: false), RepositoryPaths.Root);

        Assert.Equal(
            ["actions/checkout@v4", "actions/setup-dotnet@v4", "actions/cache@v4", "actions/cache@v4", .. SetUpAndTest,
             "./build.sh --target=Repro --pull", "./build.sh --target=Push",
             "./build.sh --target=CommitLock --push --author=\"github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\"",
             "./build.sh --target=Report --rev=origin/main --publish --plots-url=\"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID\"", "actions/upload-artifact@v4"],
            steps.Select(s => s.Uses ?? s.Run!));
        Assert.Equal("feature", steps[0].With["ref"]);
        Assert.Equal("0", steps[0].With["fetch-depth"]);
        Assert.Equal("pipeline-cache-pr7-42", steps[3].With["key"]);
        Assert.Matches("^nuget-Linux-[0-9a-f]{64}$", steps[2].With["key"]);
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], SecretsIn(steps.Single(s => s.Run == "./build.sh --target=Repro --pull")));
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], SecretsIn(steps.Single(s => s.Run == "./build.sh --target=Push")));
        Assert.All(steps.Where(s => s.Run is { } run && !run.Contains("--target=Repro", StringComparison.Ordinal) && !run.Contains("--target=Push", StringComparison.Ordinal)),
            step => Assert.Empty(SecretsIn(step)));
        Assert.Equal("ghs_workflow_token", steps[^2].Environment["GITHUB_TOKEN"]);
        Assert.Equal(("plots", "report/report.plots/plots.html"), (steps[^1].With["name"], steps[^1].With["path"]));
    }

    [Fact]
    public void A_forks_pull_request_gets_no_secret_tests_reproduces_from_the_cache_and_still_reports_on_its_merge_commit()
    {
        var steps = WorkflowPlan.For(PullRequestWorkflow, "experiment", RunnerContexts.PullRequest(fork: true), RepositoryPaths.Root);

        Assert.Equal(
            ["actions/checkout@v4", "actions/setup-dotnet@v4", "actions/cache@v4", "actions/cache@v4", .. SetUpAndTest,
             "./build.sh --target=Repro", "./build.sh --target=Report --rev=origin/main --publish --plots-url=\"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID\"", "actions/upload-artifact@v4"],
            steps.Select(s => s.Uses ?? s.Run!));
        Assert.Equal(string.Empty, steps[0].With["ref"]);
        Assert.All(steps, step => Assert.DoesNotContain(step.Environment, kv => kv.Key.StartsWith("AWS_", StringComparison.Ordinal) && kv.Value.Length > 0));
    }

    [Fact]
    public void With_a_training_cluster_train_runs_in_a_pod_from_this_pull_requests_image_and_unset_variables_pass_empty_options()
    {
        var steps = WorkflowPlan.For(PullRequestWorkflow, "experiment", RunnerContexts.PullRequest(fork: false, trainingCluster: true), RepositoryPaths.Root);

        var cluster = steps.SkipWhile(s => s.Uses != "azure/k8s-set-context@v4").Take(4).ToList();
        Assert.Equal("kubeconfig-text", cluster[0].With["kubeconfig"]);
        Assert.Equal(
            ["./build.sh --target=ContainerizeTraining", "./build.sh --target=PushImage --image=training ${IMAGE_REGISTRY:+--registry=\"$IMAGE_REGISTRY\"}", "./build.sh --target=TrainRemote --pull ${TRAINING_NAMESPACE:+--namespace=\"$TRAINING_NAMESPACE\"}"],
            cluster.Skip(1).Select(s => s.Run));
        Assert.Equal(string.Empty, cluster[2].Environment["IMAGE_REGISTRY"]);
        Assert.Equal(["REGISTRY_PASSWORD", "REGISTRY_USERNAME"], SecretsIn(cluster[2]));
        Assert.Equal(string.Empty, cluster[3].Environment["TRAINING_NAMESPACE"]);
        Assert.DoesNotContain(steps.Single(s => s.Run == "./build.sh --target=ContainerizeTraining").Environment.Values, Secrets.Contains);
    }

    [Fact]
    public void Main_reproduces_pushes_and_deploys_with_each_secret_on_its_own_steps_only()
    {
        var steps = WorkflowPlan.For(MainWorkflow, "reproduce", RunnerContexts.PushToMain(), RepositoryPaths.Root);

        Assert.Equal(
            ["actions/checkout@v4", "actions/setup-dotnet@v4", "actions/cache@v4", "actions/cache@v4", .. SetUpAndTest,
             "./build.sh --target=Repro --pull", "./build.sh --target=Push", "./build.sh --target=Containerize",
             "./build.sh --target=PushImage ${IMAGE_REGISTRY:+--registry=\"$IMAGE_REGISTRY\"}", "azure/k8s-set-context@v4", "./build.sh --target=Deploy ${DEPLOY_NAMESPACE:+--namespace=\"$DEPLOY_NAMESPACE\"}"],
            steps.Select(s => s.Uses ?? s.Run!));
        Assert.Equal("pipeline-cache-main-abc123", steps[3].With["key"]);
        Assert.Empty(SecretsIn(steps.Single(s => s.Run == "./build.sh --target=Containerize")));
        Assert.Empty(SecretsIn(steps[^1]));
        Assert.Equal(string.Empty, steps[^1].Environment["DEPLOY_NAMESPACE"]);
    }

    [Fact]
    public void The_daily_monitoring_run_fetches_the_reference_tests_the_last_day_raises_the_alert_and_always_keeps_the_report()
    {
        var scheduled = WorkflowPlan.For(MonitorWorkflow, "drift", RunnerContexts.Scheduled(), RepositoryPaths.Root);
        var byHand = WorkflowPlan.For(MonitorWorkflow, "drift", RunnerContexts.Scheduled(since: "7d"), RepositoryPaths.Root);

        const string Monitor = "./build.sh --target=Monitor --remote=predictions --since=\"$SINCE\" --alert --report-url=\"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID\"";
        Assert.Equal(
            ["actions/checkout@v4", "actions/setup-dotnet@v4", "actions/cache@v4", "bash scripts/setup-native.sh", "./build.sh --target=Repro --stage=reference --pull", Monitor, "actions/upload-artifact@v4"],
            scheduled.Select(s => s.Uses ?? s.Run!));
        Assert.Equal("24h", scheduled[5].Environment["SINCE"]);
        Assert.Equal("7d", byHand[5].Environment["SINCE"]);
        Assert.Equal("ghs_workflow_token", scheduled[5].Environment["GITHUB_TOKEN"]);
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], SecretsIn(scheduled[4]));
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], SecretsIn(scheduled[5]));
        Assert.All(scheduled.Take(4).Append(scheduled[6]), step => Assert.Empty(SecretsIn(step)));
        Assert.Equal([false, false, false, false, false, false, true], scheduled.Select(s => s.Always));
        Assert.Equal(("drift-report", "monitoring/report.html"), (scheduled[6].With["name"], scheduled[6].With["path"]));
    }

    [Theory]
    [InlineData("'' || 'fallback'", "fallback")]
    [InlineData("'a' && 'b'", "b")]
    [InlineData("'' && 'b'", "")]
    [InlineData("'TRUE' == 'true'", "true")]
    [InlineData("github.event.pull_request.missing.deeper", "")]
    [InlineData("!(github.event.number == 7)", "false")]
    [InlineData("github.event.number == '7'", "true")]
    public void Expressions_follow_the_runners_rules(string expression, string expected) =>
        Assert.Equal(expected, WorkflowExpression.AsText(new WorkflowExpression(RunnerContexts.PullRequest(fork: false), RepositoryPaths.Root).Evaluate(expression)));

    private static readonly string[] SetUpAndTest = ["bash scripts/setup-native.sh && bash scripts/setup-test-tools.sh", "bash scripts/test.sh"];

    private static string[] SecretsIn(PlannedStep step) =>
        [.. step.Environment.Where(kv => Secrets.Contains(kv.Value)).Select(kv => kv.Key).Order(StringComparer.Ordinal)];
}
