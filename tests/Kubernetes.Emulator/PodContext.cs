using System.Text;
using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>
/// One pod as a runtime sees it: its spec, and the calls that move its status the way a kubelet would
/// (scheduled, waiting, running, ready, restarted, terminated) and append to its log.
/// </summary>
public sealed class PodContext
{
    private readonly ObjectStore store;
    private readonly PodLog log;
    private readonly Lock gate = new();
    private JsonObject? state;
    private JsonObject? lastState;
    private bool ready;
    private int restarts;
    private string? startedAt;

    internal PodContext(ObjectStore store, JsonObject pod, PodLog log)
    {
        this.store = store;
        this.log = log;
        Pod = pod;
        var metadata = ObjectStore.Metadata(pod);
        Name = (string)metadata["name"]!;
        Namespace = (string)metadata["namespace"]!;
        Container = pod["spec"]?["containers"]?[0] as JsonObject ?? [];
    }

    /// <summary>The pod as it was created.</summary>
    public JsonObject Pod { get; }

    /// <summary>The pod's name.</summary>
    public string Name { get; }

    /// <summary>The pod's namespace.</summary>
    public string Namespace { get; }

    /// <summary>The pod's first container, the one the emulator runs.</summary>
    public JsonObject Container { get; }

    /// <summary>The first container's image.</summary>
    public string Image => (string?)Container["image"] ?? "";

    /// <summary>The first container's name.</summary>
    public string ContainerName => (string?)Container["name"] ?? "main";

    /// <summary>The pod's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels =>
        (ObjectStore.Metadata(Pod)["labels"] as JsonObject)?.ToDictionary(l => l.Key, l => (string?)l.Value ?? "") ?? [];

    /// <summary>The scheduler placed the pod; the container is being created.</summary>
    public void Scheduled() => Waiting("ContainerCreating");

    /// <summary>No node fits the pod; it stays Pending with the scheduler's message.</summary>
    public void Unschedulable(string message) => Publish(status =>
    {
        status["phase"] = "Pending";
        status["conditions"] = new JsonArray(Condition("PodScheduled", false, "Unschedulable", message));
    });

    /// <summary>The container waits (ContainerCreating, ImagePullBackOff, ErrImagePull…).</summary>
    public void Waiting(string reason, string? message = null)
    {
        lock (gate)
        {
            state = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } };
            ready = false;
        }

        Publish(status => status["phase"] ??= "Pending");
    }

    /// <summary>The container runs; <paramref name="isReady"/> says whether its readiness probe passes.</summary>
    public void Running(bool isReady = false)
    {
        lock (gate)
        {
            startedAt ??= ObjectStore.Now();
            state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = startedAt } };
            ready = isReady;
        }

        log.Started();
        Publish(status => status["phase"] = "Running");
    }

    /// <summary>The readiness probe starts or stops passing.</summary>
    public void Ready(bool isReady = true)
    {
        lock (gate)
        {
            ready = isReady;
        }

        Publish(_ => { });
    }

    /// <summary>The container exited and the kubelet restarts it after a back-off (CrashLoopBackOff).</summary>
    public void Crashed(int exitCode)
    {
        lock (gate)
        {
            restarts++;
            lastState = Terminated(exitCode, "Error");
            state = new JsonObject
            {
                ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = $"back-off restarting failed container {ContainerName} in pod {Name}" },
            };
            ready = false;
        }

        log.Started();
        Publish(status => status["phase"] = "Running");
    }

    /// <summary>
    /// The container exited for good: the pod Succeeded (code 0) or Failed, and its log ends. <paramref name="message"/>
    /// is what it wrote to its termination-message file.
    /// </summary>
    public void Exited(int exitCode, string? message = null)
    {
        lock (gate)
        {
            startedAt ??= ObjectStore.Now();
            state = Terminated(exitCode, exitCode == 0 ? "Completed" : "Error", message);
            ready = false;
        }

        log.Started();
        Publish(status => status["phase"] = exitCode == 0 ? "Succeeded" : "Failed");
        log.Close();
    }

    /// <summary>Appends a line to the container's log, for readers following it.</summary>
    public void WriteLog(string line) => log.Append(line);

    /// <summary>
    /// The keys of the Secret <paramref name="name"/> in the pod's namespace, decoded, as a kubelet hands them to a
    /// container; null when there is no such Secret.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Secret(string name)
    {
        var secret = store.Get(ResourceType.Named("secrets"), Namespace, name);
        if (secret is null)
        {
            return null;
        }

        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in secret["data"] as JsonObject ?? [])
        {
            keys[key] = Encoding.UTF8.GetString(Convert.FromBase64String((string?)value ?? ""));
        }

        // The emulator stores stringData as written, where an API server would have merged it into data over the same keys.
        foreach (var (key, value) in secret["stringData"] as JsonObject ?? [])
        {
            keys[key] = (string?)value ?? "";
        }

        return keys;
    }

    private JsonObject Terminated(int exitCode, string reason, string? message = null)
    {
        var terminated = new JsonObject
        {
            ["exitCode"] = exitCode,
            ["reason"] = reason,
            ["startedAt"] = startedAt ?? ObjectStore.Now(),
            ["finishedAt"] = ObjectStore.Now(),
        };
        if (!string.IsNullOrEmpty(message))
        {
            terminated["message"] = message;
        }

        return new JsonObject { ["terminated"] = terminated };
    }

    private void Publish(Action<JsonObject> change)
    {
        JsonObject containerStatus;
        bool isReady;
        lock (gate)
        {
            isReady = ready;
            containerStatus = new JsonObject
            {
                ["name"] = ContainerName,
                ["image"] = Image,
                ["imageID"] = "",
                ["ready"] = ready,
                ["started"] = state?["running"] is not null,
                ["restartCount"] = restarts,
                ["state"] = state?.DeepClone() ?? new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
                ["lastState"] = lastState?.DeepClone() ?? new JsonObject(),
            };
        }

        try
        {
            store.Update(ResourceType.Named("pods"), Namespace, Name, pod =>
            {
                var status = Defaults.Object(pod, "status");
                change(status);
                if ((string?)status["phase"] != "Pending" || state is not null)
                {
                    status["conditions"] = new JsonArray(
                        Condition("PodScheduled", true),
                        Condition("Initialized", true),
                        Condition("ContainersReady", isReady),
                        Condition("Ready", isReady));
                    status["containerStatuses"] = new JsonArray(containerStatus);
                    status["hostIP"] = "10.0.0.10";
                    status["podIP"] ??= $"10.244.0.{Random.Shared.Next(2, 250)}";
                    status["startTime"] ??= ObjectStore.Now();
                }
            });
        }
        catch (StatusException e) when (e.Code == 404)
        {
            // Deleted while the runtime still reports: nobody is left to see it.
        }
    }

    private static JsonObject Condition(string type, bool status, string? reason = null, string? message = null) => new()
    {
        ["type"] = type,
        ["status"] = status ? "True" : "False",
        ["lastTransitionTime"] = ObjectStore.Now(),
        ["reason"] = reason,
        ["message"] = message,
    };
}
