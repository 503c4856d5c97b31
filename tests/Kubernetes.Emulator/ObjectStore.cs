using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Kubernetes.Emulator;

/// <summary>
/// The emulator's etcd: objects by resource, namespace and name, one resourceVersion counter for all of them, and
/// the history of changes that watches replay from a resourceVersion.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Dictionary<string, JsonObject> objects = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> history = [];
    private readonly List<Watch> watches = [];
    private readonly List<JsonObject> deletedPods = [];
    private long revision;

    public Lock Gate { get; } = new();

    public long Revision
    {
        get
        {
            lock (Gate)
            {
                return revision;
            }
        }
    }

    public IReadOnlyList<JsonObject> DeletedPods
    {
        get
        {
            lock (Gate)
            {
                return [.. deletedPods.Select(p => (JsonObject)p.DeepClone())];
            }
        }
    }

    public JsonObject? Get(ResourceType type, string ns, string name)
    {
        lock (Gate)
        {
            return objects.TryGetValue(Key(type, ns, name), out var item) ? (JsonObject)item.DeepClone() : null;
        }
    }

    public List<JsonObject> List(ResourceType type, string? ns, Func<JsonObject, bool>? filter = null)
    {
        lock (Gate)
        {
            var prefix = ns is null ? $"{type.Plural}/" : Key(type, ns, "");
            return [.. objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal) && (filter?.Invoke(o.Value) ?? true))
                .OrderBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => (JsonObject)o.Value.DeepClone())];
        }
    }

    /// <summary>Stores a new object: fills in its identity (uid, resourceVersion, generation…) and tells the watches.</summary>
    public JsonObject Create(ResourceType type, string ns, JsonObject item)
    {
        lock (Gate)
        {
            var metadata = Metadata(item);
            if (type.Namespaced)
            {
                RequireNamespace(ns);
                metadata["namespace"] = ns;
            }

            var name = (string?)metadata["name"];
            if (string.IsNullOrEmpty(name))
            {
                var prefix = (string?)metadata["generateName"] ?? throw StatusException.Invalid(type, "", "metadata.name: Required value: name or generateName is required");
                do
                {
                    name = prefix + RandomSuffix();
                }
                while (objects.ContainsKey(Key(type, ns, name)));
                metadata["name"] = name;
            }

            if (objects.ContainsKey(Key(type, ns, name)))
            {
                throw StatusException.AlreadyExists(type, name);
            }

            item["apiVersion"] = type.ApiVersion;
            item["kind"] = type.Kind;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Now();
            metadata["generation"] = 1;
            Defaults.Apply(type, item);
            return Commit(type, ns, name, item, "ADDED");
        }
    }

    /// <summary>Changes an object through <paramref name="change"/> (on a copy); a change that changes nothing is no new version.</summary>
    public JsonObject Update(ResourceType type, string ns, string name, Action<JsonObject> change)
    {
        lock (Gate)
        {
            var current = objects.TryGetValue(Key(type, ns, name), out var found) ? found : throw StatusException.NotFound(type, name);
            var next = (JsonObject)current.DeepClone();
            change(next);
            Defaults.Apply(type, next);
            var metadata = Metadata(next);
            var before = Metadata(current);
            foreach (var fixedField in new[] { "name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion" })
            {
                metadata[fixedField] = before[fixedField]?.DeepClone();
            }

            next["apiVersion"] = type.ApiVersion;
            next["kind"] = type.Kind;
            if (JsonNode.DeepEquals(current, next))
            {
                return (JsonObject)current.DeepClone();
            }

            if (!JsonNode.DeepEquals(current["spec"], next["spec"]))
            {
                metadata["generation"] = Json.Long(before["generation"]) + 1;
            }

            return Commit(type, ns, name, next, "MODIFIED");
        }
    }

    /// <summary>
    /// Deletes an object. <paramref name="propagation"/> (DeleteOptions.propagationPolicy) decides what happens to the
    /// objects it owns: Background or Foreground delete them, Orphan only drops their owner reference. Without one, a
    /// Job orphans its pods, as the real batch/v1 API does for compatibility; other kinds keep their dependents here.
    /// </summary>
    public JsonObject Delete(ResourceType type, string ns, string name, string? propagation = null)
    {
        lock (Gate)
        {
            if (!objects.Remove(Key(type, ns, name), out var item))
            {
                throw StatusException.NotFound(type, name);
            }

            Propagate(item, propagation ?? (type.Kind == "Job" ? "Orphan" : null));

            Metadata(item)["resourceVersion"] = (++revision).ToString(CultureInfo.InvariantCulture);
            Publish(type, ns, item, "DELETED");
            if (type.Plural == "pods")
            {
                deletedPods.Add((JsonObject)item.DeepClone());
            }

            if (type.Plural == "namespaces")
            {
                foreach (var key in objects.Keys.Where(k => k.Split('/')[1] == name).ToList())
                {
                    var parts = key.Split('/');
                    Delete(ResourceType.Named(parts[0]), parts[1], parts[2]);
                }
            }

            return (JsonObject)item.DeepClone();
        }
    }

    private void Propagate(JsonObject owner, string? policy)
    {
        var uid = (string?)owner["metadata"]?["uid"];
        if (policy is null || uid is null)
        {
            return;
        }

        foreach (var key in objects.Where(o => (o.Value["metadata"]?["ownerReferences"] as JsonArray)?.Any(r => (string?)r?["uid"] == uid) == true).Select(o => o.Key).ToList())
        {
            var parts = key.Split('/');
            if (policy == "Orphan")
            {
                Update(ResourceType.Named(parts[0]), parts[1], parts[2], o => o["metadata"]!.AsObject().Remove("ownerReferences"));
            }
            else
            {
                Delete(ResourceType.Named(parts[0]), parts[1], parts[2], policy);
            }
        }
    }

    /// <summary>Opens a watch: first what it missed (since <paramref name="resourceVersion"/>, or every object as ADDED), then each change.</summary>
    public ChannelReader<string> Subscribe(ResourceType type, string? ns, Func<JsonObject, bool> filter, string? resourceVersion, CancellationToken stopped)
    {
        var channel = Channel.CreateUnbounded<string>();
        var watch = new Watch(type, ns, filter, channel.Writer);
        lock (Gate)
        {
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                foreach (var item in List(type, ns, filter))
                {
                    channel.Writer.TryWrite(WatchEvent.Line("ADDED", item));
                }
            }
            else
            {
                var since = long.Parse(resourceVersion, CultureInfo.InvariantCulture);
                foreach (var change in history.Where(h => h.Revision > since && watch.Matches(h.Type, h.Namespace, h.Object)))
                {
                    channel.Writer.TryWrite(change.Text);
                }
            }

            watches.Add(watch);
        }

        stopped.Register(() =>
        {
            lock (Gate)
            {
                watches.Remove(watch);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void RequireNamespace(string ns)
    {
        if (!objects.ContainsKey(Key(ResourceType.Named("namespaces"), "", ns)))
        {
            throw new StatusException(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
        }
    }

    public static JsonObject Metadata(JsonObject item)
    {
        if (item["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            item["metadata"] = metadata;
        }

        return metadata;
    }

    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private JsonObject Commit(ResourceType type, string ns, string name, JsonObject item, string eventType)
    {
        Metadata(item)["resourceVersion"] = (++revision).ToString(CultureInfo.InvariantCulture);
        objects[Key(type, ns, name)] = item;
        Publish(type, ns, item, eventType);
        return (JsonObject)item.DeepClone();
    }

    private void Publish(ResourceType type, string ns, JsonObject item, string eventType)
    {
        var change = new WatchEvent(revision, type, ns, item.DeepClone().AsObject(), WatchEvent.Line(eventType, item));
        history.Add(change);
        foreach (var watch in watches.Where(w => w.Matches(type, ns, item)))
        {
            watch.Writer.TryWrite(change.Text);
        }
    }

    private static string Key(ResourceType type, string ns, string name) => $"{type.Plural}/{(type.Namespaced ? ns : "")}/{name}";

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(Enumerable.Range(0, 5).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
    }

    private sealed record WatchEvent(long Revision, ResourceType Type, string Namespace, JsonObject Object, string Text)
    {
        public static string Line(string type, JsonObject item) => new JsonObject { ["type"] = type, ["object"] = item.DeepClone() }.ToJsonString();
    }

    private sealed record Watch(ResourceType Type, string? Namespace, Func<JsonObject, bool> Filter, ChannelWriter<string> Writer)
    {
        public bool Matches(ResourceType type, string ns, JsonObject item) =>
            type == Type && (Namespace is null || Namespace == ns) && Filter(item);
    }
}
