using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Pipeline.Core.Execution;

namespace Pipeline.Kubernetes;

/// <summary>
/// Follows a Deployment's rollout through watches on the Deployment and its pods, judging it as
/// <c>kubectl rollout status</c> does, and spotting pods of the new revision that will never become ready.
/// </summary>
internal sealed class RolloutMonitor(IKubernetes client, string ns, string name, IPipelineLog progress)
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    // Waiting reasons no amount of waiting fixes: the image or the configuration has to change.
    private static readonly HashSet<string> HopelessReasons =
        ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"];

    private readonly Lock gate = new();
    private readonly Dictionary<string, V1Pod> pods = [];
    private V1Deployment? deployment;
    private (string Revision, string? Hash) newReplicaSet = ("", null);

    /// <summary>Waits for the rollout; the outcome carries the failure reason, or the revision that now runs.</summary>
    /// <param name="timeout">How long the rollout may take.</param>
    /// <param name="judgePods">Fail early on pods of the new revision in a hopeless state (off while rolling back, which only waits).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<RolloutOutcome> WaitAsync(TimeSpan timeout, bool judgePods, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + timeout;
        deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken);
        var selector = string.Join(',', deployment.Spec.Selector.MatchLabels?.Select(l => $"{l.Key}={l.Value}") ?? []);
        var signal = Channel.CreateUnbounded<Exception?>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watches = new[]
        {
            Watching.PumpAsync(
                (onError, token) => client.AppsV1.WatchListNamespacedDeploymentAsync(ns, fieldSelector: $"metadata.name={name}", onError: onError, cancellationToken: token),
                (type, item) => { lock (gate) { deployment = type == WatchEventType.Deleted ? null : item; } },
                signal.Writer,
                stop.Token),
            Watching.PumpAsync(
                (onError, token) => client.CoreV1.WatchListNamespacedPodAsync(ns, labelSelector: selector, onError: onError, cancellationToken: token),
                (type, item) => TrackPod(type, item),
                signal.Writer,
                stop.Token),
        };

        try
        {
            string? lastLine = null;
            while (true)
            {
                var (line, done, failure) = await JudgeAsync(judgePods, cancellationToken);
                if (line != lastLine)
                {
                    progress.Information($"rollout: {line}");
                    lastLine = line;
                }

                if (done || failure is not null)
                {
                    return new RolloutOutcome(failure, ParseRevision(deployment?.Metadata.Annotations));
                }

                if (!await Watching.NextAsync(signal.Reader, until, cancellationToken))
                {
                    return new RolloutOutcome(TimeoutReason(timeout, line), 0);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(watches);
        }
    }

    private void TrackPod(WatchEventType type, V1Pod pod)
    {
        lock (gate)
        {
            if (type == WatchEventType.Deleted)
            {
                pods.Remove(pod.Metadata.Name);
            }
            else
            {
                pods[pod.Metadata.Name] = pod;
            }
        }
    }

    public static int ParseRevision(IDictionary<string, string>? annotations) =>
        annotations?.TryGetValue(RevisionAnnotation, out var text) == true && int.TryParse(text, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private async Task<(string Line, bool Done, string? Failure)> JudgeAsync(bool judgePods, CancellationToken cancellationToken)
    {
        V1Deployment? d;
        lock (gate)
        {
            d = deployment;
        }

        if (d is null)
        {
            return ("deployment deleted", false, "the deployment was deleted during the rollout");
        }

        var desired = d.Spec.Replicas ?? 1;
        var status = d.Status ?? new V1DeploymentStatus();
        var updated = status.UpdatedReplicas ?? 0;
        var available = status.AvailableReplicas ?? 0;
        var total = status.Replicas ?? 0;
        if ((status.ObservedGeneration ?? 0) < (d.Metadata.Generation ?? 0))
        {
            return ("waiting for the controller to observe the new spec", false, null);
        }

        var progressing = status.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progressing?.Reason == "ProgressDeadlineExceeded")
        {
            return ($"{available} of {desired} replicas available", false, $"progress deadline exceeded ({progressing.Message})");
        }

        var line = updated < desired ? $"{updated} of {desired} new replicas updated"
            : total > updated ? $"{total - updated} old replicas pending termination"
            : available < updated ? $"{available} of {updated} updated replicas available"
            : null;
        if (line is null)
        {
            return ($"deployment/{name} successfully rolled out (revision {ParseRevision(d.Metadata.Annotations)})", true, null);
        }

        return (line, false, judgePods ? Hopeless(await NewPodsAsync(d, cancellationToken)) : null);
    }

    private async Task<List<V1Pod>> NewPodsAsync(V1Deployment d, CancellationToken cancellationToken)
    {
        var revision = d.Metadata.Annotations?.TryGetValue(RevisionAnnotation, out var r) == true ? r : "";
        if (revision.Length == 0)
        {
            return [];
        }

        if (newReplicaSet.Revision != revision || newReplicaSet.Hash is null)
        {
            var sets = await client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: cancellationToken);
            var owned = sets.Items.FirstOrDefault(s =>
                s.Metadata.OwnerReferences?.Any(o => o.Uid == d.Metadata.Uid) == true &&
                s.Metadata.Annotations?.TryGetValue(RevisionAnnotation, out var v) == true && v == revision);
            newReplicaSet = (revision, owned?.Metadata.Labels?.TryGetValue("pod-template-hash", out var hash) == true ? hash : null);
        }

        lock (gate)
        {
            return newReplicaSet.Hash is null
                ? []
                : [.. pods.Values.Where(p => p.Metadata.Labels?.TryGetValue("pod-template-hash", out var h) == true && h == newReplicaSet.Hash)];
        }
    }

    private static string? Hopeless(List<V1Pod> newPods)
    {
        foreach (var pod in newPods.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            var stuck = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.State?.Waiting?.Reason is { } reason && HopelessReasons.Contains(reason));
            if (stuck is not null)
            {
                var restarts = stuck.RestartCount > 0 ? $", {stuck.RestartCount} restarts" : "";
                var message = string.IsNullOrEmpty(stuck.State.Waiting.Message) ? "" : $": {stuck.State.Waiting.Message}";
                return $"pod {pod.Metadata.Name}: {stuck.State.Waiting.Reason}{restarts}{message}";
            }
        }

        return null;
    }

    private string TimeoutReason(TimeSpan timeout, string? line)
    {
        List<V1Pod> running;
        lock (gate)
        {
            running = [.. pods.Values.Where(p => p.Status?.Phase == "Running" && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true)];
        }

        var unready = running.Where(p => newReplicaSet.Hash is null || (p.Metadata.Labels?.TryGetValue("pod-template-hash", out var hash) == true && hash == newReplicaSet.Hash))
            .Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).FirstOrDefault();
        return unready is not null
            ? $"readiness probe failing: pod {unready} is running but was not ready within {timeout.TotalSeconds:0.#}s"
            : $"rollout did not finish within {timeout.TotalSeconds:0.#}s ({line})";
    }
}

/// <summary>How a rollout ended: <see cref="Failure"/> is null when it succeeded.</summary>
internal sealed record RolloutOutcome(string? Failure, int Revision);
