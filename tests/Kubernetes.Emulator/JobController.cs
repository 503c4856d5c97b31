using System.Globalization;
using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>
/// The job controller for Indexed Jobs, as pkg/controller/job does it: one pod per completion index (label and
/// annotation <c>batch.kubernetes.io/job-completion-index</c>, <c>JOB_COMPLETION_INDEX</c> from the annotation through
/// the downward API), at most <c>parallelism</c> at once; a failed pod of an index is replaced after a back-off that
/// doubles; <c>backoffLimitPerIndex</c> marks an index failed (<c>failedIndexes</c>) while the others go on, else
/// <c>backoffLimit</c> counts failures across the Job; <c>activeDeadlineSeconds</c> ends it (DeadlineExceeded);
/// <c>completedIndexes</c> in the API's interval form; the SuccessCriteriaMet/Complete or FailureTarget/Failed
/// conditions; and the TTL-after-finished controller deleting a finished Job with its pods.
/// </summary>
internal sealed class JobController(ObjectStore store)
{
    public const string IndexKey = "batch.kubernetes.io/job-completion-index";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";

    private static readonly ResourceType Jobs = ResourceType.Named("jobs");
    private static readonly ResourceType Pods = ResourceType.Named("pods");

    // Times to the millisecond: status strings have whole seconds only, too coarse for short deadlines and TTLs.
    private readonly Dictionary<string, DateTime> started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> finished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> lastFailure = new(StringComparer.Ordinal);
    private readonly HashSet<string> failedPodsSeen = new(StringComparer.Ordinal);

    /// <summary>The first delay before a failed index runs again; the real controller's is 10 s, doubling to 6 min.</summary>
    public TimeSpan PodFailureBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public void Reconcile(JsonObject job)
    {
        var ns = (string)job["metadata"]!["namespace"]!;
        var name = (string)job["metadata"]!["name"]!;
        var uid = (string)job["metadata"]!["uid"]!;
        var spec = job["spec"]!.AsObject();
        var pods = store.List(Pods, ns, p => (string?)p["metadata"]?["labels"]?[ControllerUidLabel] == uid);
        if (finished.TryGetValue(uid, out var finishedAt))
        {
            ExpireAfterFinished(spec, ns, name, uid, finishedAt);
            return;
        }

        var now = DateTime.UtcNow;
        started.TryAdd(uid, now);
        var state = IndexState.Of(pods, spec);
        NoteFailures(uid, pods);
        if (FailureOf(spec, state, now - started[uid]) is { } failure)
        {
            foreach (var pod in state.Active)
            {
                store.Delete(Pods, ns, (string)pod["metadata"]!["name"]!);
            }

            Finish(ns, name, uid, state, now, Condition("FailureTarget", failure.Reason, failure.Message), Condition("Failed", failure.Reason, failure.Message));
            return;
        }

        if (state.Succeeded.Count == state.Completions)
        {
            Finish(ns, name, uid, state, now, Condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
                Condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"));
            return;
        }

        var parallelism = (int)(Json.Long(spec["parallelism"]) ?? 1);
        var waiting = Enumerable.Range(0, state.Completions)
            .Where(i => !state.Succeeded.Contains(i) && !state.Failed.Contains(i) && !state.ActiveIndexes.Contains(i) && BackoffOver(uid, i, state.FailuresOf(i), now))
            .Take(Math.Max(0, parallelism - state.Active.Count));
        foreach (var index in waiting)
        {
            state.Active.Add(store.Create(Pods, ns, PodFor(job, index)));
        }

        WriteStatus(ns, name, state, conditions: null, completionTime: null);
    }

    private void ExpireAfterFinished(JsonObject spec, string ns, string name, string uid, DateTime finishedAt)
    {
        if (Json.Long(spec["ttlSecondsAfterFinished"]) is { } ttl && DateTime.UtcNow - finishedAt >= TimeSpan.FromSeconds(ttl))
        {
            // The TTL controller deletes with background propagation: the Job's pods go with it.
            store.Delete(Jobs, ns, name, "Background");
            Forget(uid);
        }
    }

    public void Forget(string uid)
    {
        started.Remove(uid);
        finished.Remove(uid);
        foreach (var key in lastFailure.Keys.Where(k => k.StartsWith(uid + "/", StringComparison.Ordinal)).ToList())
        {
            lastFailure.Remove(key);
        }
    }

    private static (string Reason, string Message)? FailureOf(JsonObject spec, IndexState state, TimeSpan active)
    {
        var perIndex = Json.Long(spec["backoffLimitPerIndex"]);
        if (Json.Long(spec["activeDeadlineSeconds"]) is { } deadline && active >= TimeSpan.FromSeconds(deadline))
        {
            return ("DeadlineExceeded", "Job was active longer than specified deadline");
        }

        if (perIndex is null && state.FailedPods > (Json.Long(spec["backoffLimit"]) ?? 6))
        {
            return ("BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }

        if (Json.Long(spec["maxFailedIndexes"]) is { } maxFailed && state.Failed.Count > maxFailed)
        {
            return ("MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes");
        }

        return perIndex is not null && state.Failed.Count > 0 && state.Succeeded.Count + state.Failed.Count == state.Completions && state.Active.Count == 0
            ? ("FailedIndexes", "Job has failed indexes")
            : null;
    }

    // An index's back-off runs from when its last pod was first seen failed.
    private void NoteFailures(string uid, List<JsonObject> pods)
    {
        foreach (var pod in pods.Where(p => (string?)p["status"]?["phase"] == "Failed"))
        {
            if (failedPodsSeen.Add((string)pod["metadata"]!["uid"]!))
            {
                lastFailure[$"{uid}/{IndexOf(pod)}"] = DateTime.UtcNow;
            }
        }
    }

    private bool BackoffOver(string uid, int index, int failures, DateTime now)
    {
        if (failures == 0 || !lastFailure.TryGetValue($"{uid}/{index}", out var at))
        {
            return true;
        }

        var delay = PodFailureBackoff * Math.Pow(2, Math.Min(failures - 1, 10));
        return now - at >= (delay > TimeSpan.FromMinutes(6) ? TimeSpan.FromMinutes(6) : delay);
    }

    private void Finish(string ns, string name, string uid, IndexState state, DateTime now, JsonObject first, JsonObject second)
    {
        finished[uid] = now;
        var completed = second["type"]!.GetValue<string>() == "Complete";
        WriteStatus(ns, name, state, new JsonArray(first, second), completed ? ObjectStore.Now() : null);
    }

    private void WriteStatus(string ns, string name, IndexState state, JsonArray? conditions, string? completionTime)
    {
        store.Update(Jobs, ns, name, job =>
        {
            var old = job["status"] as JsonObject;
            var status = new JsonObject
            {
                ["startTime"] = (string?)old?["startTime"] ?? ObjectStore.Now(),
                ["active"] = state.Active.Count,
                ["ready"] = state.Active.Count(p => (string?)p["status"]?["phase"] == "Running"),
                ["terminating"] = 0,
                ["succeeded"] = state.Succeeded.Count,
                ["failed"] = state.FailedPods,
                ["completedIndexes"] = Intervals(state.Succeeded),
                ["uncountedTerminatedPods"] = new JsonObject(),
            };
            if (Json.Long(job["spec"]?["backoffLimitPerIndex"]) is not null)
            {
                status["failedIndexes"] = Intervals(state.Failed);
            }

            if (conditions is not null)
            {
                status["conditions"] = conditions;
                status["active"] = 0;
            }
            else if (old?["conditions"] is JsonArray kept)
            {
                status["conditions"] = kept.DeepClone();
            }

            if (completionTime is not null)
            {
                status["completionTime"] = completionTime;
            }

            job["status"] = status;
        });
    }

    private static JsonObject PodFor(JsonObject job, int index)
    {
        var name = (string)job["metadata"]!["name"]!;
        var uid = (string)job["metadata"]!["uid"]!;
        var template = (JsonObject)job["spec"]!["template"]!.DeepClone();
        var metadata = Defaults.Object(template, "metadata");
        var text = index.ToString(CultureInfo.InvariantCulture);
        metadata["generateName"] = $"{name}-{text}-";
        var labels = Defaults.Object(metadata, "labels");
        labels[JobNameLabel] = name;
        labels["job-name"] = name;
        labels[ControllerUidLabel] = uid;
        labels["controller-uid"] = uid;
        labels[IndexKey] = text;
        Defaults.Object(metadata, "annotations")[IndexKey] = text;
        metadata["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["name"] = name,
            ["uid"] = uid,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        foreach (var container in (template["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var env = container["env"] as JsonArray ?? [];
            container["env"] = env;
            env.Add(new JsonObject
            {
                ["name"] = "JOB_COMPLETION_INDEX",
                ["valueFrom"] = new JsonObject
                {
                    ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = $"metadata.annotations['{IndexKey}']" },
                },
            });
        }

        return template;
    }

    private static int IndexOf(JsonObject pod) =>
        int.TryParse((string?)pod["metadata"]?["annotations"]?[IndexKey], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1;

    // The API's form: "0-2,4,6-7".
    private static string Intervals(IEnumerable<int> indexes)
    {
        var parts = new List<string>();
        foreach (var run in indexes.Order().Aggregate(new List<List<int>>(), (runs, i) =>
        {
            if (runs.Count > 0 && runs[^1][^1] == i - 1)
            {
                runs[^1].Add(i);
            }
            else
            {
                runs.Add([i]);
            }

            return runs;
        }))
        {
            parts.Add(run.Count == 1 ? $"{run[0]}" : $"{run[0]}-{run[^1]}");
        }

        return string.Join(',', parts);
    }

    private static JsonObject Condition(string type, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastProbeTime"] = ObjectStore.Now(),
        ["lastTransitionTime"] = ObjectStore.Now(),
        ["reason"] = reason,
        ["message"] = message,
    };

    /// <summary>The indexes of one Job as its pods show them.</summary>
    private sealed class IndexState
    {
        public required int Completions { get; init; }

        public required HashSet<int> Succeeded { get; init; }

        public required HashSet<int> Failed { get; init; }

        public required List<JsonObject> Active { get; init; }

        public required int FailedPods { get; init; }

        public required Dictionary<int, int> Failures { get; init; }

        public HashSet<int> ActiveIndexes => [.. Active.Select(IndexOf)];

        public int FailuresOf(int index) => Failures.GetValueOrDefault(index);

        public static IndexState Of(List<JsonObject> pods, JsonObject spec)
        {
            string? Phase(JsonObject pod) => (string?)pod["status"]?["phase"];
            var failures = pods.Where(p => Phase(p) == "Failed").GroupBy(IndexOf).ToDictionary(g => g.Key, g => g.Count());
            var succeeded = pods.Where(p => Phase(p) == "Succeeded").Select(IndexOf).ToHashSet();
            var perIndex = Json.Long(spec["backoffLimitPerIndex"]);
            return new IndexState
            {
                Completions = (int)(Json.Long(spec["completions"]) ?? 1),
                Succeeded = succeeded,
                Failed = perIndex is { } limit ? [.. failures.Where(f => f.Value > limit && !succeeded.Contains(f.Key)).Select(f => f.Key)] : [],
                Active = [.. pods.Where(p => Phase(p) is not ("Succeeded" or "Failed"))],
                FailedPods = failures.Values.Sum(),
                Failures = failures,
            };
        }
    }
}
