using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>
/// The controller manager and the kubelet in one loop: Deployments make ReplicaSets (one per pod template, numbered
/// by revision), ReplicaSets make pods, Indexed Jobs make a pod per index (<see cref="JobController"/>), and every new
/// pod is handed to the runtime.
/// </summary>
internal sealed class Controllers(ObjectStore store, IPodRuntime runtime)
{
    private static readonly ResourceType Jobs = ResourceType.Named("jobs");
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    private const string HashLabel = "pod-template-hash";

    private static readonly ResourceType Deployments = ResourceType.Named("deployments");
    private static readonly ResourceType ReplicaSets = ResourceType.Named("replicasets");
    private static readonly ResourceType Pods = ResourceType.Named("pods");

    private readonly Dictionary<string, (CancellationTokenSource Deleted, Task Run)> kubelet = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string ReplicaSet, long Ready, DateTime At)> progress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodLog> logs = new(StringComparer.Ordinal);

    /// <summary>The job controller.</summary>
    public JobController JobController { get; } = new(store);

    public PodLog? Log(string ns, string name)
    {
        lock (store.Gate)
        {
            return logs.GetValueOrDefault($"{ns}/{name}");
        }
    }

    public async Task RunAsync(CancellationToken stopped)
    {
        while (!stopped.IsCancellationRequested)
        {
            lock (store.Gate)
            {
                foreach (var deployment in store.List(Deployments, null))
                {
                    ReconcileDeployment(deployment);
                }

                foreach (var set in store.List(ReplicaSets, null))
                {
                    ReconcileReplicaSet(set);
                }

                foreach (var job in store.List(Jobs, null))
                {
                    JobController.Reconcile(job);
                }

                RunPods();
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), stopped);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        foreach (var (deleted, _) in kubelet.Values)
        {
            await deleted.CancelAsync();
        }

        await Task.WhenAll(kubelet.Values.Select(k => k.Run));
    }

    private void ReconcileDeployment(JsonObject deployment)
    {
        var (ns, name, uid) = Identity(deployment);
        var spec = deployment["spec"]!.AsObject();
        var desired = Json.Long(spec["replicas"]) ?? 1;
        var template = (JsonObject)spec["template"]!.DeepClone();
        (Defaults.Object(Defaults.Object(template, "metadata"), "labels")).Remove(HashLabel);
        var hash = Hash(template);
        var owned = store.List(ReplicaSets, ns, s => OwnedBy(s, uid));
        var newest = owned.Select(Revision).DefaultIfEmpty(0).Max();
        var current = owned.FirstOrDefault(s => (string?)s["metadata"]!["labels"]?[HashLabel] == hash);
        if (current is null)
        {
            var labels = (JsonObject)template["metadata"]!["labels"]!.DeepClone();
            labels[HashLabel] = hash;
            var podTemplate = (JsonObject)template.DeepClone();
            podTemplate["metadata"]!["labels"] = labels.DeepClone();
            var selector = (JsonObject)(spec["selector"]?.DeepClone() ?? new JsonObject());
            Defaults.Object(selector, "matchLabels")[HashLabel] = hash;
            current = store.Create(ReplicaSets, ns, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{name}-{hash}",
                    ["labels"] = labels,
                    ["annotations"] = new JsonObject { [RevisionAnnotation] = (newest + 1).ToString(CultureInfo.InvariantCulture) },
                    ["ownerReferences"] = Owner(deployment),
                },
                ["spec"] = new JsonObject { ["replicas"] = desired, ["selector"] = selector, ["template"] = podTemplate },
            });
            owned.Add(current);
        }
        else if (Revision(current) < newest || Json.Long(current["spec"]!["replicas"]) != desired)
        {
            // A template that matches an older ReplicaSet (a rollback) makes that one the newest revision again.
            var revision = Math.Max(Revision(current), Revision(current) < newest ? newest + 1 : 0);
            current = store.Update(ReplicaSets, ns, (string)current["metadata"]!["name"]!, s =>
            {
                s["spec"]!["replicas"] = desired;
                Defaults.Object(ObjectStore.Metadata(s), "annotations")[RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
            });
            owned = [.. owned.Select(s => (string?)s["metadata"]!["name"] == (string?)current["metadata"]!["name"] ? current : s)];
        }

        var currentName = (string)current["metadata"]!["name"]!;
        var currentReady = Json.Long(current["status"]?["readyReplicas"]) ?? 0;
        if (currentReady >= desired)
        {
            foreach (var old in owned.Where(s => (string?)s["metadata"]!["name"] != currentName && Json.Long(s["spec"]!["replicas"]) != 0))
            {
                store.Update(ReplicaSets, ns, (string)old["metadata"]!["name"]!, s => s["spec"]!["replicas"] = 0);
            }
        }

        long Sum(string field) => owned.Sum(s => Json.Long(s["status"]?[field]) ?? 0);
        var updated = Json.Long(current["status"]?["replicas"]) ?? 0;
        var available = Sum("availableReplicas");
        var total = Sum("replicas");
        var complete = updated == desired && total == updated && available == updated && Json.Long(current["status"]?["availableReplicas"]) == desired;
        var now = DateTime.UtcNow;
        if (!progress.TryGetValue(uid, out var last) || last.ReplicaSet != currentName || last.Ready != currentReady)
        {
            last = (currentName, currentReady, now);
            progress[uid] = last;
        }

        var deadline = TimeSpan.FromSeconds(Json.Long(spec["progressDeadlineSeconds"]) ?? 600);
        var progressing = complete
            ? Condition("Progressing", true, "NewReplicaSetAvailable", $"ReplicaSet \"{currentName}\" has successfully progressed.")
            : now - last.At > deadline
                ? Condition("Progressing", false, "ProgressDeadlineExceeded", $"ReplicaSet \"{currentName}\" has timed out progressing.")
                : Condition("Progressing", true, "ReplicaSetUpdated", $"ReplicaSet \"{currentName}\" is progressing.");
        var minimum = desired - (long)Math.Floor(desired * 0.25);
        var availableCondition = available >= minimum
            ? Condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.")
            : Condition("Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");
        var generation = Json.Long(deployment["metadata"]!["generation"]) ?? 1;
        var revisionText = Revision(current).ToString(CultureInfo.InvariantCulture);
        store.Update(Deployments, ns, name, d =>
        {
            Defaults.Object(ObjectStore.Metadata(d), "annotations")[RevisionAnnotation] = revisionText;
            var old = d["status"] as JsonObject;
            var status = new JsonObject
            {
                ["observedGeneration"] = generation,
                ["replicas"] = total,
                ["updatedReplicas"] = updated,
                ["readyReplicas"] = Sum("readyReplicas"),
                ["availableReplicas"] = available,
                ["unavailableReplicas"] = Math.Max(0, desired - available),
                ["conditions"] = new JsonArray(KeepTimes(old, availableCondition), KeepTimes(old, progressing)),
            };
            d["status"] = status;
        });
    }

    private void ReconcileReplicaSet(JsonObject set)
    {
        var (ns, name, uid) = Identity(set);
        var desired = Json.Long(set["spec"]!["replicas"]) ?? 1;
        var pods = store.List(Pods, ns, p => OwnedBy(p, uid));
        for (var missing = desired - pods.Count; missing > 0; missing--)
        {
            var template = (JsonObject)set["spec"]!["template"]!.DeepClone();
            var metadata = Defaults.Object(template, "metadata");
            metadata["generateName"] = $"{name}-";
            metadata["ownerReferences"] = Owner(set);
            pods.Add(store.Create(Pods, ns, template));
        }

        foreach (var extra in pods.OrderBy(IsReady).Take((int)Math.Max(0, pods.Count - desired)).ToList())
        {
            store.Delete(Pods, ns, (string)extra["metadata"]!["name"]!);
            pods.Remove(extra);
        }

        var ready = pods.Count(IsReady);
        store.Update(ReplicaSets, ns, name, s => s["status"] = new JsonObject
        {
            ["replicas"] = pods.Count,
            ["fullyLabeledReplicas"] = pods.Count,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["observedGeneration"] = Json.Long(s["metadata"]!["generation"]) ?? 1,
        });
    }

    private void RunPods()
    {
        var alive = store.List(Pods, null).ToDictionary(p => $"{p["metadata"]!["namespace"]}/{p["metadata"]!["name"]}", StringComparer.Ordinal);
        foreach (var (key, (deleted, _)) in kubelet.Where(k => !alive.ContainsKey(k.Key)).ToList())
        {
            deleted.Cancel();
            kubelet.Remove(key);
            logs.Remove(key);
        }

        foreach (var (key, pod) in alive.Where(p => !kubelet.ContainsKey(p.Key)))
        {
            var log = new PodLog();
            logs[key] = log;
            var deleted = new CancellationTokenSource();
            var context = new PodContext(store, pod, log);
            kubelet[key] = (deleted, Task.Run(() => RunPodAsync(context, log, deleted.Token)));
        }
    }

    private async Task RunPodAsync(PodContext context, PodLog log, CancellationToken deleted)
    {
        try
        {
            await runtime.RunAsync(context, deleted);
        }
        catch (OperationCanceledException) when (deleted.IsCancellationRequested)
        {
            // The pod was deleted: its container stops with it.
        }
        finally
        {
            log.Close();
        }
    }

    private static bool IsReady(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray)?.Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true;

    private static long Revision(JsonObject set) =>
        long.TryParse((string?)set["metadata"]?["annotations"]?[RevisionAnnotation], CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private static bool OwnedBy(JsonObject item, string uid) =>
        (item["metadata"]?["ownerReferences"] as JsonArray)?.Any(o => (string?)o?["uid"] == uid) == true;

    private static (string Namespace, string Name, string Uid) Identity(JsonObject item) =>
        ((string)item["metadata"]!["namespace"]!, (string)item["metadata"]!["name"]!, (string)item["metadata"]!["uid"]!);

    private static JsonArray Owner(JsonObject owner) => new(new JsonObject
    {
        ["apiVersion"] = (string?)owner["apiVersion"],
        ["kind"] = (string?)owner["kind"],
        ["name"] = (string?)owner["metadata"]!["name"],
        ["uid"] = (string?)owner["metadata"]!["uid"],
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    });

    private static string Hash(JsonObject template)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(template)));
        return Convert.ToHexStringLower(bytes)[..10];
    }

    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canonical(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };

    private static JsonObject Condition(string type, bool status, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = status ? "True" : "False",
        ["lastUpdateTime"] = ObjectStore.Now(),
        ["lastTransitionTime"] = ObjectStore.Now(),
        ["reason"] = reason,
        ["message"] = message,
    };

    // Unchanged conditions keep their times, so a status that did not change is no new resourceVersion.
    private static JsonObject KeepTimes(JsonObject? oldStatus, JsonObject condition)
    {
        var previous = (oldStatus?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == (string?)condition["type"]);
        if (previous is not null && (string?)previous["status"] == (string?)condition["status"] && (string?)previous["reason"] == (string?)condition["reason"])
        {
            condition["lastUpdateTime"] = previous["lastUpdateTime"]?.DeepClone();
            condition["lastTransitionTime"] = previous["lastTransitionTime"]?.DeepClone();
        }

        return condition;
    }
}
