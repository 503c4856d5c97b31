using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>
/// Server-side apply: who owns which field (metadata.managedFields), conflicts between managers, and the merge that
/// sets what an apply sets and removes what the same manager set before and no longer does.
/// </summary>
internal static class ManagedFields
{
    /// <summary>Applies <paramref name="applied"/> for <paramref name="manager"/>: creates the object or updates it.</summary>
    public static (JsonObject Result, bool Created) Apply(ObjectStore store, ResourceType type, string ns, string name, JsonObject applied, string manager, bool force)
    {
        if ((string?)applied["kind"] is { } kind && kind != type.Kind)
        {
            throw StatusException.BadRequest($"the kind in the body ({kind}) does not match the path ({type.Kind})");
        }

        var metadata = ObjectStore.Metadata(applied);
        if ((string?)metadata["name"] is { } bodyName && bodyName != name)
        {
            throw StatusException.BadRequest($"the name in the body ({bodyName}) does not match the path ({name})");
        }

        applied.Remove("status");
        var leaves = Fields.Leaves(applied);
        lock (store.Gate)
        {
            if (store.Get(type, ns, name) is null)
            {
                var fresh = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } };
                foreach (var leaf in leaves)
                {
                    Fields.Set(fresh, leaf, Fields.Get(applied, leaf));
                }

                SetEntries(fresh, [NewEntry(manager, "Apply", type, leaves)]);
                return (store.Create(type, ns, fresh), true);
            }

            var updated = store.Update(type, ns, name, current =>
            {
                var entries = Entries(current);
                var conflicts = entries
                    .Where(e => e.Manager != manager)
                    .SelectMany(e => e.Paths.Where(p => leaves.Contains(p) && !JsonNode.DeepEquals(Fields.Get(current, p), Fields.Get(applied, p))).Select(p => (e.Manager, Path: p)))
                    .ToList();
                if (conflicts.Count > 0 && !force)
                {
                    throw Conflict(conflicts);
                }

                var previous = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply")?.Paths ?? [];
                var others = entries.Where(e => e.Manager != manager || e.Operation != "Apply").ToList();
                foreach (var dropped in previous.Where(p => !leaves.Contains(p) && !others.Any(o => o.Paths.Contains(p))))
                {
                    Fields.Remove(current, dropped);
                }

                foreach (var leaf in leaves)
                {
                    Fields.Set(current, leaf, Fields.Get(applied, leaf));
                }

                // Forced or agreeing values: the other managers no longer own what this apply sets.
                var kept = others.Select(o => o with { Paths = [.. o.Paths.Where(p => !leaves.Contains(p) || o.Manager == manager)] });
                var mine = previous.SetEquals(leaves) ? entries.First(e => e.Manager == manager && e.Operation == "Apply") : NewEntry(manager, "Apply", type, leaves);
                SetEntries(current, [.. kept, mine]);
            });
            return (updated, false);
        }
    }

    /// <summary>Gives <paramref name="manager"/> the fields a create, replace or patch changed.</summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, string manager, ResourceType type)
    {
        var afterLeaves = Fields.Leaves(after);
        var changed = afterLeaves.Where(p => before is null || !JsonNode.DeepEquals(Fields.Get(before, p), Fields.Get(after, p))).ToHashSet(StringComparer.Ordinal);
        var entries = before is null ? [] : Entries(before);
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update")?.Paths ?? [];
        var others = entries
            .Where(e => e.Manager != manager || e.Operation != "Update")
            .Select(e => e with { Paths = [.. e.Paths.Where(p => !changed.Contains(p) && afterLeaves.Contains(p))] });
        SetEntries(after, [.. others, changed.Count == 0 && entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update") is { } same
            ? same
            : NewEntry(manager, "Update", type, [.. mine.Where(afterLeaves.Contains), .. changed])]);
    }

    private static StatusException Conflict(List<(string Manager, string Path)> conflicts)
    {
        var causes = new JsonArray([.. conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict",
            ["message"] = $"conflict with \"{c.Manager}\"",
            ["field"] = Fields.Display(c.Path),
        })]);
        var listed = string.Join("\n", conflicts.Select(c => $"- conflict with \"{c.Manager}\": {Fields.Display(c.Path)}"));
        return new StatusException(409, "Conflict", $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? "" : "s")}: {listed.TrimStart('-', ' ')}", new JsonObject { ["causes"] = causes });
    }

    private static List<Entry> Entries(JsonObject item) =>
        [.. (ObjectStore.Metadata(item)["managedFields"] as JsonArray ?? []).OfType<JsonObject>().Select(e => new Entry(
            (string?)e["manager"] ?? "", (string?)e["operation"] ?? "Update", e["apiVersion"]?.ToString() ?? "", Fields.FromFieldsV1(e["fieldsV1"] as JsonObject), (string?)e["time"]))];

    private static Entry NewEntry(string manager, string operation, ResourceType type, IEnumerable<string> paths) =>
        new(manager, operation, type.ApiVersion, [.. paths], ObjectStore.Now());

    private static void SetEntries(JsonObject item, IEnumerable<Entry> entries) =>
        ObjectStore.Metadata(item)["managedFields"] = new JsonArray([.. entries.Where(e => e.Paths.Count > 0).Select(e => (JsonNode)new JsonObject
        {
            ["manager"] = e.Manager,
            ["operation"] = e.Operation,
            ["apiVersion"] = e.ApiVersion,
            ["time"] = e.Time ?? ObjectStore.Now(),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = Fields.ToFieldsV1(e.Paths),
        })]);

    private sealed record Entry(string Manager, string Operation, string ApiVersion, HashSet<string> Paths, string? Time);
}
