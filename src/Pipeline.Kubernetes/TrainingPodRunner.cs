using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Pipeline.Core.Execution;

namespace Pipeline.Kubernetes;

/// <summary>
/// Runs the train stage in a pod made for one run: creates it, streams its log live, returns its exit code, and
/// deletes it on every way out (success, failure, cancellation, timeout), so no GPU stays booked by a finished run.
/// </summary>
/// <param name="client">The cluster's API.</param>
public sealed partial class TrainingPodRunner(IKubernetes client)
{
    /// <summary>The container's name inside the pod.</summary>
    public const string ContainerName = "train";

    // Waiting reasons that mean the container will not start without someone changing something.
    private static readonly HashSet<string> HopelessReasons =
        ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"];

    /// <summary>The pod's name for a run id: lower case, and only what a DNS label allows.</summary>
    public static string PodName(string runId) => NameFor("train", runId, 57);

    /// <summary><paramref name="prefix"/>-<paramref name="runId"/> cleaned to what a DNS label allows, the run id cut to <paramref name="room"/> characters.</summary>
    internal static string NameFor(string prefix, string runId, int room)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var cleaned = InvalidNameCharacters().Replace(runId.ToLowerInvariant(), "-").Trim('-');
        cleaned = cleaned[..Math.Min(cleaned.Length, room)].TrimEnd('-');
        return cleaned.Length > 0 ? $"{prefix}-{cleaned}" : throw new ArgumentException($"run id '{runId}' has no usable character", nameof(runId));
    }

    /// <summary>The pod <see cref="RunAsync"/> creates, for a dry run or a review.</summary>
    public static V1Pod BuildPod(TrainingPodSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = PodName(settings.RunId);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = settings.Namespace,
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/component"] = "training",
                    ["app.kubernetes.io/managed-by"] = DeploymentSettings.Manager,
                    ["run-id"] = name["train-".Length..],
                },
            },
            Spec = BuildPodSpec(settings),
        };
    }

    /// <summary>
    /// The pod's spec: the training container (image, environment, credentials from a Secret, GPUs, termination message
    /// file), node selection and tolerations, a memory-backed /dev/shm, and no restarts. Indexed Jobs use it as their template.
    /// </summary>
    public static V1PodSpec BuildPodSpec(TrainingPodSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var container = new V1Container
        {
            Name = ContainerName,
            Image = settings.Image,
            ImagePullPolicy = settings.ImagePullPolicy,
            Command = settings.Command.Count > 0 ? [.. settings.Command] : null,
            Args = settings.Arguments.Count > 0 ? [.. settings.Arguments] : null,
            Env = settings.Environment.Count > 0 ? [.. settings.Environment.Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })] : null,
            EnvFrom = settings.S3CredentialsSecret is { } secret ? [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = secret } }] : null,
            Resources = settings.GpuCount > 0
                ? new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new(settings.GpuCount.ToString(CultureInfo.InvariantCulture)) } }
                : null,
            VolumeMounts = [new V1VolumeMount { Name = "dshm", MountPath = "/dev/shm" }],

            // What the container writes there comes back in its terminated state: a typed result, not a log line.
            TerminationMessagePath = PodExit.MessagePath,
            TerminationMessagePolicy = "File",
        };
        return new V1PodSpec
        {
            // A failed training run is reported, not retried: the pipeline decides what runs again.
            RestartPolicy = "Never",
            Containers = [container],
            NodeSelector = settings.NodeSelector.Count > 0 ? settings.NodeSelector.ToDictionary() : null,
            Tolerations = settings.Tolerations.Count > 0
                ? [.. settings.Tolerations.Select(t => new V1Toleration { Key = t.Key, OperatorProperty = t.Operator, Value = t.Value, Effect = t.Effect })]
                : null,
            Volumes = [new V1Volume { Name = "dshm", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity(settings.ShmSizeLimit) } }],
        };
    }

    /// <summary>Runs the pod to its end and returns how the training container ended: its exit code and termination message.</summary>
    /// <param name="settings">The pod to run.</param>
    /// <param name="log">Receives the container's log, line by line as it is written, and a few lines about the pod.</param>
    /// <param name="cancellationToken">Stops the run (Ctrl+C); the pod is deleted all the same.</param>
    /// <exception cref="TrainingPodException">The pod could not be scheduled or started, or the run timed out.</exception>
    /// <exception cref="KubernetesApiException">The API refused a request or could not be reached.</exception>
    public async Task<PodExit> RunAsync(TrainingPodSettings settings, IPipelineLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var pod = BuildPod(settings);
        var (name, ns) = (pod.Metadata.Name, settings.Namespace);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        // A create cut short by the timeout or Ctrl+C may still have reached the server, so only a refusal means no pod.
        var created = true;
        try
        {
            try
            {
                await client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: timeout.Token);
            }
            catch (HttpOperationException)
            {
                created = false;
                throw;
            }

            log.Information($"pod {name}: created in namespace {ns}");
            await WaitForAsync(name, ns, p => p.Status?.Phase is "Running" or "Succeeded" or "Failed", timeout.Token);
            await FollowLogAsync(name, ns, log, timeout.Token);
            var ended = await WaitForAsync(name, ns, p => p.Status?.Phase is "Succeeded" or "Failed", timeout.Token);
            var terminated = ended.Status.ContainerStatuses?.FirstOrDefault(c => c.Name == ContainerName)?.State?.Terminated;
            if (terminated is null)
            {
                throw new TrainingPodException($"pod {name} failed without its container ending: {ended.Status.Reason} {ended.Status.Message}".TrimEnd());
            }

            log.Information($"pod {name}: {ended.Status.Phase}, exit code {terminated.ExitCode}");
            return new PodExit(terminated.ExitCode, string.IsNullOrEmpty(terminated.Message) ? null : terminated.Message);
        }
        catch (Exception e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is not TrainingPodException)
        {
            throw new TrainingPodException($"pod {name} did not finish within {settings.Timeout}; it was stopped", e);
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

    private Task<V1Pod> WaitForAsync(string name, string ns, Func<V1Pod, bool> reached, CancellationToken cancellationToken) =>
        Watching.UntilAsync(
            (onError, token) => client.CoreV1.WatchListNamespacedPodAsync(ns, fieldSelector: $"metadata.name={name}", onError: onError, cancellationToken: token),
            pod => reached(pod) ? pod : CannotStart(pod) is { } reason ? throw new TrainingPodException($"pod {name} cannot start: {reason}") : null,
            cancellationToken);

    private static string? CannotStart(V1Pod pod)
    {
        var unschedulable = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable");
        if (unschedulable is not null)
        {
            return $"Unschedulable: {unschedulable.Message}";
        }

        var waiting = pod.Status?.ContainerStatuses?.Select(c => c.State?.Waiting).FirstOrDefault(w => w?.Reason is { } r && HopelessReasons.Contains(r));
        return waiting is null ? null : $"{waiting.Reason}: {waiting.Message}".TrimEnd(' ', ':');
    }

    private async Task FollowLogAsync(string name, string ns, IPipelineLog log, CancellationToken cancellationToken)
    {
        using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(name, ns, container: ContainerName, follow: true, cancellationToken: cancellationToken);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            log.Information(line);
        }
    }

    private async Task DeleteAsync(string name, string ns, IPipelineLog log)
    {
        // Not the run's token: it may be the very cancellation that brought us here, and the pod must go regardless.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(name, ns, cancellationToken: deadline.Token);
            log.Information($"pod {name}: deleted");
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            log.Information($"pod {name}: already gone");
        }
        catch (Exception e) when (KubernetesApiException.From(e, client.BaseUri) is { } failure)
        {
            // Reported, not thrown: the run's own outcome (exit code, or the error that ended it) matters more.
            log.Warning($"pod {name}: could not be deleted ({failure.Message}); delete it with: kubectl delete pod {name} -n {ns}");
        }
    }

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex InvalidNameCharacters();
}
