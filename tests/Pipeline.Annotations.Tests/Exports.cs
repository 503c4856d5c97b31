using System.Text.Json.Nodes;

namespace Pipeline.Annotations.Tests;

/// <summary>Exports shaped as Label Studio writes them (JSON: its data_export serializer; JSON-MIN: its converter).</summary>
internal static class Exports
{
    public static JsonObject Task(int id, string image, params JsonObject[] annotations) => new()
    {
        ["id"] = id,
        ["annotations"] = new JsonArray([.. annotations]),
        ["file_upload"] = image.Split('/')[^1],
        ["drafts"] = new JsonArray(),
        ["predictions"] = new JsonArray(),
        ["data"] = new JsonObject { ["image"] = image },
        ["meta"] = new JsonObject(),
        ["created_at"] = "2026-11-30T09:00:00.000000Z",
        ["updated_at"] = "2026-11-30T09:10:00.000000Z",
        ["inner_id"] = id,
        ["total_annotations"] = annotations.Count(a => !(bool)a["was_cancelled"]!),
        ["cancelled_annotations"] = annotations.Count(a => (bool)a["was_cancelled"]!),
        ["total_predictions"] = 0,
        ["comment_count"] = 0,
        ["unresolved_comment_count"] = 0,
        ["last_comment_updated_at"] = null,
        ["project"] = 3,
        ["updated_by"] = 1,
        ["comment_authors"] = new JsonArray(),
    };

    public static JsonObject Chose(int id, int annotator, string choice, string updatedAt = "2026-11-30T09:05:00.000000Z", string control = "choice") => new()
    {
        ["id"] = id,
        ["completed_by"] = annotator,
        ["result"] = new JsonArray(new JsonObject
        {
            ["id"] = $"r{id}",
            ["type"] = "choices",
            ["value"] = new JsonObject { ["choices"] = new JsonArray(choice) },
            ["origin"] = "prediction",
            ["to_name"] = "image",
            ["from_name"] = control,
        }),
        ["was_cancelled"] = false,
        ["ground_truth"] = false,
        ["created_at"] = updatedAt,
        ["updated_at"] = updatedAt,
        ["lead_time"] = 3.2,
        ["prediction"] = new JsonObject(),
        ["result_count"] = 0,
        ["task"] = 1,
        ["project"] = 3,
        ["updated_by"] = annotator,
        ["parent_prediction"] = 5,
        ["parent_annotation"] = null,
    };

    public static JsonObject Cancelled(int id, int annotator) => new()
    {
        ["id"] = id,
        ["completed_by"] = annotator,
        ["result"] = new JsonArray(),
        ["was_cancelled"] = true,
        ["ground_truth"] = false,
        ["created_at"] = "2026-11-30T09:06:00.000000Z",
        ["updated_at"] = "2026-11-30T09:06:00.000000Z",
        ["lead_time"] = 1.0,
        ["task"] = 1,
        ["project"] = 3,
    };

    public static JsonObject Minimal(int id, string image, string? choice, int? annotator, string updatedAt = "2026-11-30T09:05:00.000000Z")
    {
        var record = new JsonObject { ["image"] = image, ["id"] = id };
        if (choice is not null)
        {
            record["choice"] = choice;
        }

        record["annotator"] = annotator;
        record["annotation_id"] = annotator is null ? null : id * 10 + annotator;
        record["created_at"] = annotator is null ? null : updatedAt;
        record["updated_at"] = annotator is null ? null : updatedAt;
        record["lead_time"] = annotator is null ? null : 2.5;
        return record;
    }
}
