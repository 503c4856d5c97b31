using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Pipeline.Core.Execution;

namespace Pipeline.Kubernetes;

/// <summary>
/// Runs trials (such as queued experiments) as one Indexed Job: completions = trials, the pod of index i reads
/// <c>JOB_COMPLETION_INDEX</c> to know which trial it is, at most <c>parallelism</c> at once, each index retried up to
/// <c>backoffLimitPerIndex</c> times without failing the others, the whole bounded by <c>activeDeadlineSeconds</c> and
/// removed by the cluster <c>ttlSecondsAfterFinished</c> after it ends should this process die. Progress is reported as
/// trials end; each trial's exit code, termination message and log are collected before the Job is deleted, with its
/// pods, on every way out.
/// </summary>
/// <param name="client">The cluster's API.</param>
public sealed class IndexedJobRunner(IKubernetes client)
{
    /// <summary>The Job's name for a run id.</summary>
    public static string JobName(string runId) => TrainingPodRunner.NameFor("trials", runId, 33);

    /// <summary>The Job <see cref="RunAsync"/> creates, for a dry run or a review.</summary>
    public static V1Job BuildJob(IndexedJobSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = JobName(settings.Pod.RunId);
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = settings.Pod.Namespace, Labels = new Dictionary<string, string> { ["run-id"] = name } },
            Spec = new V1JobSpec
            {
                CompletionMode = "Indexed",
                Completions = settings.Trials,
                Parallelism = Math.Min(settings.Parallelism, settings.Trials),
                BackoffLimitPerIndex = settings.RetriesPerTrial,
                ActiveDeadlineSeconds = (long)settings.Pod.Timeout.TotalSeconds,
                TtlSecondsAfterFinished = (int)settings.KeepFinishedFor.TotalSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["run-id"] = name } },
                    Spec = TrainingPodRunner.BuildPodSpec(settings.Pod),
                },
            },
        };
    }

    /// <summary>Runs the Job to its end and returns how each trial ended.</summary>
    /// <param name="settings">The trials to run.</param>
    /// <param name="log">Told when the Job is created, as trials end (n of N), and when it is deleted.</param>
    /// <param name="cancellationToken">Stops the run (Ctrl+C); the Job and its pods are deleted all the same.</param>
    /// <exception cref="KubernetesApiException">The API refused a request or could not be reached.</exception>
    public async Task<IndexedJobResult> RunAsync(IndexedJobSettings settings, IPipelineLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var job = BuildJob(settings);
        var (name, ns) = (job.Metadata.Name, settings.Pod.Namespace);
        var created = true;
        try
        {
            try
            {
                await client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException)
            {
                created = false;
                throw;
            }

            log.Information($"job {name}: created in namespace {ns}, {settings.Trials} trials, {job.Spec.Parallelism} at a time");
            var ended = await WaitForEndAsync(name, ns, settings.Trials, log, cancellationToken);
            var trials = await TrialsAsync(name, ns, settings.Trials, cancellationToken);
            var failure = ended.Status.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
            return new IndexedJobResult(trials, failure is null ? null : $"{failure.Reason}: {failure.Message}");
        }
        catch (Exception e) when (KubernetesApiException.From(e, client.BaseUri) is { } failure && !ReferenceEquals(failure, e))
        {
            throw failure;
        }
        finally
        {
            if (created)
            {
                await DeleteAsync(name, ns, log);
            }
        }
    }

    private Task<V1Job> WaitForEndAsync(string name, string ns, int trials, IPipelineLog log, CancellationToken cancellationToken)
    {
        var reported = (Succeeded: 0, Failed: 0);
        return Watching.UntilAsync(
            (onError, token) => client.BatchV1.WatchListNamespacedJobAsync(ns, fieldSelector: $"metadata.name={name}", onError: onError, cancellationToken: token),
            job =>
            {
                var now = (Succeeded: job.Status?.Succeeded ?? 0, Failed: FailedTrials(job));
                if (now != reported)
                {
                    reported = now;
                    log.Information($"job {name}: {now.Succeeded + now.Failed} of {trials} trials done ({now.Succeeded} succeeded, {now.Failed} failed)");
                }

                return job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true ? job : null;
            },
            cancellationToken);
    }

    // With a per-index back-off limit, failedIndexes says which trials gave up ("1,3-4"); a retried pod is no failed trial.
    private static int FailedTrials(V1Job job) =>
        string.IsNullOrEmpty(job.Status?.FailedIndexes)
            ? 0
            : job.Status.FailedIndexes.Split(',').Sum(part => part.Split('-') is [var from, var to]
                ? int.Parse(to, CultureInfo.InvariantCulture) - int.Parse(from, CultureInfo.InvariantCulture) + 1
                : 1);

    // Per index, the pod that succeeded, else the last one that ended; an index no pod ended for (a deadline) has none.
    private async Task<IReadOnlyList<TrialExit>> TrialsAsync(string name, string ns, int trials, CancellationToken cancellationToken)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"batch.kubernetes.io/job-name={name}", cancellationToken: cancellationToken);
        var result = new List<TrialExit>();
        for (var index = 0; index < trials; index++)
        {
            var text = index.ToString(CultureInfo.InvariantCulture);
            var ended = pods.Items
                .Where(p => p.Metadata.Annotations is { } annotations && annotations.TryGetValue("batch.kubernetes.io/job-completion-index", out var value) && value == text)
                .Select(p => (Pod: p, State: p.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == TrainingPodRunner.ContainerName)?.State?.Terminated))
                .Where(p => p.State is not null)
                .OrderByDescending(p => p.State!.ExitCode == 0)
                .ThenByDescending(p => p.State!.FinishedAt)
                .FirstOrDefault();
            result.Add(ended.Pod is null
                ? new TrialExit(index, null, null, "")
                : new TrialExit(index, ended.Pod.Metadata.Name, new PodExit(ended.State!.ExitCode, string.IsNullOrEmpty(ended.State.Message) ? null : ended.State.Message), await LogAsync(ended.Pod, ns, cancellationToken)));
        }

        return result;
    }

    private async Task<string> LogAsync(V1Pod pod, string ns, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns, container: TrainingPodRunner.ContainerName, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (HttpOperationException e)
        {
            return $"(its log could not be read: {e.Response?.StatusCode})";
        }
    }

    private async Task DeleteAsync(string name, string ns, IPipelineLog log)
    {
        // Not the run's token: it may be the very cancellation that brought us here. Background propagation deletes
        // the pods too; the batch/v1 default would leave them orphaned.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await client.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: "Background", cancellationToken: deadline.Token);
            log.Information($"job {name}: deleted with its pods");
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            log.Information($"job {name}: already gone");
        }
        catch (Exception e) when (KubernetesApiException.From(e, client.BaseUri) is { } failure)
        {
            log.Warning($"job {name}: could not be deleted ({failure.Message}); delete it with: kubectl delete job {name} -n {ns}");
        }
    }
}

/// <summary>The trials an <see cref="IndexedJobRunner"/> runs.</summary>
/// <param name="Pod">Each trial's pod: image, environment, credentials, GPUs, node selection; its timeout bounds the whole Job.</param>
/// <param name="Trials">How many trials (the Job's completions); the pod of trial i sees <c>JOB_COMPLETION_INDEX=i</c>.</param>
public sealed record IndexedJobSettings(TrainingPodSettings Pod, int Trials)
{
    /// <summary>Trials running at once.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>How often a failed trial runs again before it counts as failed (backoffLimitPerIndex).</summary>
    public int RetriesPerTrial { get; init; }

    /// <summary>How long the cluster keeps the finished Job should this process not delete it (ttlSecondsAfterFinished).</summary>
    public TimeSpan KeepFinishedFor { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>How one trial ended.</summary>
/// <param name="Index">Its completion index.</param>
/// <param name="Pod">The pod whose end counts; null when none ended (the Job's deadline passed first).</param>
/// <param name="Exit">Its container's exit code and termination message; null when no pod ended.</param>
/// <param name="Log">Its container's log.</param>
public sealed record TrialExit(int Index, string? Pod, PodExit? Exit, string Log)
{
    /// <summary>Whether the trial succeeded.</summary>
    public bool Succeeded => Exit?.ExitCode == 0;
}

/// <summary>How an Indexed Job ended.</summary>
/// <param name="Trials">Each trial, by index.</param>
/// <param name="Failure">Why the Job failed (its Failed condition's reason and message), such as a deadline; null when it completed.</param>
public sealed record IndexedJobResult(IReadOnlyList<TrialExit> Trials, string? Failure);
