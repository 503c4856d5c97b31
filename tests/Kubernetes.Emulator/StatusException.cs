using System.Text.Json.Nodes;

namespace Kubernetes.Emulator;

/// <summary>An error the API answers with, as a real Status object.</summary>
public sealed class StatusException : Exception
{
    /// <summary>Creates an error with its HTTP code, Status reason and message.</summary>
    public StatusException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    /// <summary>Creates an error with a message only (500 InternalError).</summary>
    public StatusException()
        : this(500, "InternalError", "internal error")
    {
    }

    /// <summary>Creates an error with a message only (500 InternalError).</summary>
    public StatusException(string message)
        : this(500, "InternalError", message)
    {
    }

    /// <summary>Creates an error with a message and a cause (500 InternalError).</summary>
    public StatusException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    /// <summary>The HTTP status code.</summary>
    public int Code { get; }

    /// <summary>The Status reason (NotFound, Conflict, Forbidden…).</summary>
    public string Reason { get; }

    /// <summary>The Status details (name, kind, causes); null for none.</summary>
    public JsonObject? Details { get; }

    /// <summary>The Status object.</summary>
    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["details"] = Details?.DeepClone(),
        ["code"] = Code,
    };

    internal static StatusException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedName} \"{name}\" not found", Subject(type, name));

    internal static StatusException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedName} \"{name}\" already exists", Subject(type, name));

    internal static StatusException Invalid(ResourceType type, string name, string message) =>
        new(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {message}", Subject(type, name));

    internal static StatusException BadRequest(string message) => new(400, "BadRequest", message);

    private static JsonObject Subject(ResourceType type, string name) => new() { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural };
}
