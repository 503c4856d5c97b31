using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Kubernetes.Emulator;

namespace Pipeline.Kubernetes.Tests;

/// <summary>Trials as one Indexed Job against the emulator's job controller, with a scripted kubelet.</summary>
public sealed class IndexedJobRunnerTests
{
    private const string Image = "registry.example/planets-train@sha256:4444444444444444444444444444444444444444444444444444444444444444";

    private static IndexedJobSettings Settings(int trials, TimeSpan? timeout = null) =>
        new(new TrainingPodSettings("default", Image, "Sweep_7") { GpuCount = 1, S3CredentialsSecret = "s3-credentials", Timeout = timeout ?? TimeSpan.FromSeconds(60) }, trials)
        {
            Parallelism = 2,
            RetriesPerTrial = 1,
            KeepFinishedFor = TimeSpan.FromMinutes(5),
        };

    [Fact]
    public async Task Trials_run_by_index_two_at_a_time_a_failed_pod_is_retried_for_its_index_only_and_the_job_goes_with_its_pods()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Emulator.JobPodFailureBackoff = TimeSpan.FromMilliseconds(50);
        var running = 0;
        var most = 0;
        var attempts = new int[4];
        cluster.Runtime.Choose = pod => async (context, deleted) =>
        {
            var index = int.Parse((string)pod.Pod["metadata"]!["annotations"]![JobIndex]!, CultureInfo.InvariantCulture);
            var attempt = Interlocked.Increment(ref attempts[index]);
            var now = Interlocked.Increment(ref running);
            Volatile.Write(ref most, Math.Max(Volatile.Read(ref most), now));
            context.Scheduled();
            context.Running(isReady: true);
            context.WriteLog($"trial {index}, attempt {attempt}");
            await Task.Delay(100, deleted);
            Interlocked.Decrement(ref running);
            if (index == 2 || (index == 1 && attempt == 1))
            {
                context.WriteLog("diverged: loss is NaN");
                context.Exited(2);
            }
            else
            {
                context.Exited(0, $$"""{"trial":{{index}}}""");
            }
        };
        var log = new RecordingLog();

        var result = await new IndexedJobRunner(cluster.Client).RunAsync(Settings(4), log, CancellationToken.None);

        Assert.Equal([0, 1, 2, 3], result.Trials.Select(t => t.Index));
        Assert.Equal([true, true, false, true], result.Trials.Select(t => t.Succeeded));
        Assert.Equal(new PodExit(0, """{"trial":0}"""), result.Trials[0].Exit);
        Assert.Contains("trial 1, attempt 2", result.Trials[1].Log, StringComparison.Ordinal);
        Assert.Equal(2, result.Trials[2].Exit!.ExitCode);
        Assert.Contains("diverged: loss is NaN", result.Trials[2].Log, StringComparison.Ordinal);
        Assert.Equal([1, 2, 2, 1], attempts);
        Assert.Equal("FailedIndexes: Job has failed indexes", result.Failure);
        Assert.True(most <= 2, $"{most} pods ran at once");
        Assert.Contains("job trials-sweep-7: 4 of 4 trials done (3 succeeded, 1 failed)", log.Lines);
        Assert.Equal("job trials-sweep-7: deleted with its pods", log.Lines[^1]);
        Assert.Empty(cluster.Emulator.List("jobs"));
        await WaitUntilAsync(() => cluster.Emulator.List("pods").Count == 0);

        var pod = cluster.Emulator.DeletedPods[0];
        Assert.StartsWith("trials-sweep-7-", (string?)pod["metadata"]!["name"], StringComparison.Ordinal);
        var variable = ((JsonArray)pod["spec"]!["containers"]![0]!["env"]!).Single(e => (string?)e!["name"] == "JOB_COMPLETION_INDEX")!;
        Assert.Equal($"metadata.annotations['{JobIndex}']", (string?)variable["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("1", (string?)pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
    }

    [Fact]
    public async Task The_deadline_ends_the_job_and_trials_no_pod_finished_have_no_exit()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(Image, async (context, deleted) =>
        {
            context.Scheduled();
            context.Running(isReady: true);
            if (context.Pod["metadata"]!["annotations"]![JobIndex]!.GetValue<string>() == "0")
            {
                context.Exited(0, "done");
                return;
            }

            await Task.Delay(Timeout.Infinite, deleted);
        });

        var result = await new IndexedJobRunner(cluster.Client).RunAsync(Settings(3, TimeSpan.FromSeconds(2)), new RecordingLog(), CancellationToken.None);

        Assert.Equal("DeadlineExceeded: Job was active longer than specified deadline", result.Failure);
        Assert.True(result.Trials[0].Succeeded);
        Assert.All(result.Trials.Skip(1), t => Assert.Null(t.Exit));
        Assert.Empty(cluster.Emulator.List("jobs"));
    }

    [Fact]
    public async Task Stopping_the_run_deletes_the_job_and_its_running_pods()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(Image, PodScripts.ReadyAfter(TimeSpan.FromMilliseconds(10)));
        using var stop = new CancellationTokenSource();
        var log = new RecordingLog { OnLine = line => { if (line.Contains("created", StringComparison.Ordinal)) { stop.CancelAfter(300); } } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new IndexedJobRunner(cluster.Client).RunAsync(Settings(4), log, stop.Token));

        Assert.Empty(cluster.Emulator.List("jobs"));
        await WaitUntilAsync(() => cluster.Emulator.List("pods").Count == 0);
        Assert.Equal(2, cluster.Emulator.DeletedPods.Count);
    }

    [Fact]
    public async Task The_cluster_removes_a_finished_job_after_its_ttl_and_deleting_a_job_without_a_policy_orphans_its_pods()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Runtime.ForImage(Image, PodScripts.Exit(0, ["ok"]));
        var expiring = IndexedJobRunner.BuildJob(Settings(2) with { KeepFinishedFor = TimeSpan.FromSeconds(1), Pod = Settings(2).Pod with { RunId = "ttl" } });
        var kept = IndexedJobRunner.BuildJob(Settings(1) with { Pod = Settings(1).Pod with { RunId = "orphan" } });

        await cluster.Client.BatchV1.CreateNamespacedJobAsync(expiring, "default");
        await cluster.Client.BatchV1.CreateNamespacedJobAsync(kept, "default");
        await WaitUntilAsync(() => (int?)cluster.Emulator.Get("jobs", "default", "trials-orphan")?["status"]?["succeeded"] == 1);
        await cluster.Client.BatchV1.DeleteNamespacedJobAsync("trials-orphan", "default");
        await WaitUntilAsync(() => cluster.Emulator.Get("jobs", "default", "trials-ttl") is null);

        var orphans = cluster.Emulator.List("pods");
        var orphan = Assert.Single(orphans);
        Assert.StartsWith("trials-orphan-0-", (string?)orphan["metadata"]!["name"], StringComparison.Ordinal);
        Assert.Null(orphan["metadata"]!["ownerReferences"]);
        Assert.Equal(2, cluster.Emulator.DeletedPods.Count);
    }

    private const string JobIndex = "batch.kubernetes.io/job-completion-index";

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
