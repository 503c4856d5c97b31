using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Kubernetes.Emulator;

/// <summary>The REST surface: discovery, CRUD, server-side apply, patches, watches and pod logs, with errors as Status objects.</summary>
internal sealed class ApiServer(ObjectStore store, Controllers controllers, CancellationToken stopping)
{
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentDictionary<(string Verb, string Resource), bool> forbidden = new();
    private static readonly string[] MutableMetadata = ["labels", "annotations"];
    private readonly List<InjectedError> injected = [];

    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    public void Forbid(string verb, string resource) => forbidden[(verb, resource)] = true;

    public void Inject(InjectedError error)
    {
        lock (injected)
        {
            injected.Add(error);
        }
    }

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        catch (StatusException e)
        {
            await WriteAsync(context.Response, e.Code, e.ToStatus());
        }
        catch (JsonException e)
        {
            await WriteAsync(context.Response, 400, StatusException.BadRequest($"the request body is not valid JSON: {e.Message}").ToStatus());
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // The client went away, or the emulator stops: nothing left to answer.
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["version"]:
                await WriteAsync(context.Response, 200, Discovery.Version());
                return;
            case ["api"]:
                await WriteAsync(context.Response, 200, Discovery.CoreVersions(request.Host.Value!));
                return;
            case ["apis"]:
                await WriteAsync(context.Response, 200, Discovery.Groups());
                return;
            case ["api", var coreVersion]:
                await WriteAsync(context.Response, 200, Discovery.Resources("", coreVersion));
                return;
            case ["apis", var groupName, var groupVersion]:
                await WriteAsync(context.Response, 200, Discovery.Resources(groupName, groupVersion));
                return;
            default:
                break;
        }

        var (group, version, rest) = segments switch
        {
            ["api", var v, .. var r] => ("", v, r),
            ["apis", var g, var v, .. var r] => (g, v, r),
            _ => throw new StatusException(404, "NotFound", $"the server could not find the requested resource ({request.Path})"),
        };
        string? ns = null;
        if (rest is ["namespaces", var namespaceName, _, ..])
        {
            ns = namespaceName;
            rest = rest[2..];
        }

        var type = rest.Length > 0 ? ResourceType.Find(group, version, rest[0]) : null;
        if (type is null)
        {
            throw new StatusException(404, "NotFound", $"the server could not find the requested resource ({request.Path})");
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var sub = rest.Length > 2 ? rest[2] : null;
        var watch = request.Query["watch"] is var w && (w == "true" || w == "1");
        var verb = (request.Method, name) switch
        {
            ("GET", null) => watch ? "watch" : "list",
            ("GET", _) => "get",
            ("POST", _) => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE", _) => "delete",
            _ => throw new StatusException(405, "MethodNotAllowed", $"{request.Method} is not supported"),
        };
        var resource = sub is null ? type.Plural : $"{type.Plural}/{sub}";
        requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value!, request.QueryString.Value ?? "", request.ContentType, verb, resource));
        Refuse(verb, resource, type, ns);
        var scope = type.Namespaced ? ns ?? (name is null && verb is "list" or "watch" ? null : "default") : "";
        var response = context.Response;
        switch (verb)
        {
            case "watch":
                await WatchAsync(context, type, scope);
                break;
            case "list":
                var filter = Selectors.Parse(request.Query["labelSelector"], request.Query["fieldSelector"]);
                await WriteAsync(response, 200, List(type, store.List(type, scope, filter)));
                break;
            case "get" when sub == "log":
                await LogAsync(context, scope!, name!);
                break;
            case "get":
                await WriteAsync(response, 200, store.Get(type, scope!, name!) ?? throw StatusException.NotFound(type, name!));
                break;
            case "create":
                var created = await BodyAsync(request);
                var manager = Manager(request);
                if (type.HasStatus)
                {
                    created.Remove("status");
                }

                ManagedFields.RecordUpdate(null, created, manager, type);
                await WriteAsync(response, 201, store.Create(type, scope!, created));
                break;
            case "update":
                var replacement = await BodyAsync(request);
                await WriteAsync(response, 200, Replace(type, scope!, name!, sub, replacement, Manager(request)));
                break;
            case "patch" when request.ContentType?.StartsWith("application/apply-patch", StringComparison.Ordinal) == true:
                var applyManager = request.Query["fieldManager"].ToString();
                if (applyManager.Length == 0)
                {
                    throw StatusException.BadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
                }

                var (applied, wasCreated) = ManagedFields.Apply(store, type, scope!, name!, await BodyAsync(request), applyManager, request.Query["force"] == "true");
                await WriteAsync(response, wasCreated ? 201 : 200, applied);
                break;
            case "patch":
                await WriteAsync(response, 200, await PatchAsync(request, type, scope!, name!, sub));
                break;
            case "delete":
                await WriteAsync(response, 200, store.Delete(type, scope!, name!, await PropagationAsync(request)));
                break;
            default:
                break;
        }
    }

    private void Refuse(string verb, string resource, ResourceType type, string? ns)
    {
        if (forbidden.ContainsKey((verb, resource)) || forbidden.ContainsKey(("*", resource)))
        {
            var where = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
            throw new StatusException(403, "Forbidden",
                $"{type.QualifiedName} is forbidden: User \"system:serviceaccount:ci:pipeline\" cannot {verb} resource \"{resource}\" in API group \"{type.Group}\" {where}",
                new JsonObject { ["group"] = type.Group, ["kind"] = type.Plural });
        }

        lock (injected)
        {
            var error = injected.FirstOrDefault(e => (e.Verb == "*" || e.Verb == verb) && (e.Resource == "*" || e.Resource == resource));
            if (error is not null)
            {
                if (--error.Remaining <= 0)
                {
                    injected.Remove(error);
                }

                throw new StatusException(error.Code, error.Reason, error.Message, error.Details);
            }
        }
    }

    private JsonObject Replace(ResourceType type, string ns, string name, string? sub, JsonObject replacement, string manager)
    {
        var expected = (string?)replacement["metadata"]?["resourceVersion"];
        return store.Update(type, ns, name, current =>
        {
            if (!string.IsNullOrEmpty(expected) && expected != (string?)current["metadata"]!["resourceVersion"])
            {
                throw new StatusException(409, "Conflict",
                    $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
            }

            var before = (JsonObject)current.DeepClone();
            if (sub == "status")
            {
                current["status"] = replacement["status"]?.DeepClone();
                return;
            }

            var status = current["status"]?.DeepClone();
            foreach (var key in current.Select(p => p.Key).ToList())
            {
                if (key != "metadata")
                {
                    current.Remove(key);
                }
            }

            foreach (var (key, value) in replacement)
            {
                if (key == "metadata" && value is JsonObject metadata)
                {
                    foreach (var field in MutableMetadata)
                    {
                        current["metadata"]![field] = metadata[field]?.DeepClone();
                    }
                }
                else if (key != "status" || !type.HasStatus)
                {
                    current[key] = value?.DeepClone();
                }
            }

            if (type.HasStatus)
            {
                current["status"] = status;
            }

            ManagedFields.RecordUpdate(before, current, manager, type);
        });
    }

    private async Task<JsonObject> PatchAsync(HttpRequest request, ResourceType type, string ns, string name, string? sub)
    {
        var text = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(stopping);
        var manager = Manager(request);
        return store.Update(type, ns, name, current =>
        {
            var before = (JsonObject)current.DeepClone();
            JsonObject patched;
            if (request.ContentType?.StartsWith("application/json-patch+json", StringComparison.Ordinal) == true)
            {
                patched = Patches.Json(current, JsonNode.Parse(text) as JsonArray ?? throw StatusException.BadRequest("a JSON patch is an array of operations"));
            }
            else
            {
                patched = (JsonObject)current.DeepClone();
                Patches.Merge(patched, JsonNode.Parse(text) as JsonObject ?? throw StatusException.BadRequest("a merge patch is a JSON object"));
            }

            foreach (var key in current.Select(p => p.Key).ToList())
            {
                current.Remove(key);
            }

            foreach (var (key, value) in patched)
            {
                var keepStatus = key == "status" && type.HasStatus && sub != "status";
                var keepSpec = key != "status" && sub == "status";
                current[key] = (keepStatus || keepSpec ? before[key] : value)?.DeepClone();
            }

            ManagedFields.RecordUpdate(before, current, manager, type);
        });
    }

    private async Task WatchAsync(HttpContext context, ResourceType type, string? ns)
    {
        var request = context.Request;
        var filter = Selectors.Parse(request.Query["labelSelector"], request.Query["fieldSelector"]);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        if (int.TryParse(request.Query["timeoutSeconds"], out var seconds) && seconds > 0)
        {
            ended.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        var events = store.Subscribe(type, ns, filter, request.Query["resourceVersion"], ended.Token);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await response.StartAsync(ended.Token);
        try
        {
            await foreach (var line in events.ReadAllAsync(ended.Token))
            {
                await response.WriteAsync(line + "\n", ended.Token);
                await response.Body.FlushAsync(ended.Token);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The watch's time is up, the client left, or the emulator stops: the stream ends, as a real server's does.
        }
    }

    private async Task LogAsync(HttpContext context, string ns, string name)
    {
        var pods = ResourceType.Named("pods");
        var pod = store.Get(pods, ns, name) ?? throw StatusException.NotFound(pods, name);
        var container = context.Request.Query["container"].ToString() is { Length: > 0 } c ? c : (string?)pod["spec"]?["containers"]?[0]?["name"];
        var log = controllers.Log(ns, name);
        if (log is null || !log.HasStarted)
        {
            throw StatusException.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating");
        }

        var follow = context.Request.Query["follow"] == "true";
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/plain";
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        await response.StartAsync(ended.Token);
        var sent = 0;
        while (true)
        {
            var (lines, closed, changed) = log.Read(sent);
            foreach (var line in lines)
            {
                await response.WriteAsync(line + "\n", ended.Token);
            }

            sent += lines.Count;
            await response.Body.FlushAsync(ended.Token);
            if (!follow || closed)
            {
                return;
            }

            await changed.WaitAsync(ended.Token);
        }
    }

    private static async Task<JsonObject> BodyAsync(HttpRequest request) =>
        await JsonNode.ParseAsync(request.Body) as JsonObject ?? throw StatusException.BadRequest("the request body is not a JSON object");

    // DeleteOptions come as the query parameter or in a body (kubectl and client libraries send either).
    private static async Task<string?> PropagationAsync(HttpRequest request)
    {
        if (request.Query["propagationPolicy"].ToString() is { Length: > 0 } policy)
        {
            return policy;
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        return text.Length > 0 && JsonNode.Parse(text) is JsonObject options ? (string?)options["propagationPolicy"] : null;
    }

    private static string Manager(HttpRequest request) =>
        request.Query["fieldManager"].ToString() is { Length: > 0 } manager ? manager : request.Headers.UserAgent.ToString().Split('/')[0] is { Length: > 0 } agent ? agent : "unknown";

    private JsonObject List(ResourceType type, List<JsonObject> items) => new()
    {
        ["kind"] = $"{type.Kind}List",
        ["apiVersion"] = type.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["items"] = new JsonArray([.. items]),
    };

    private static async Task WriteAsync(HttpResponse response, int code, JsonObject body)
    {
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = code;
        response.ContentType = "application/json";
        await response.WriteAsync(body.ToJsonString());
    }
}

/// <summary>A request the emulator received, for tests that check what a client sent.</summary>
/// <param name="Method">GET, PATCH…</param>
/// <param name="Path">The URL path.</param>
/// <param name="Query">The query string, with its leading '?'.</param>
/// <param name="ContentType">The body's content type; null without a body.</param>
/// <param name="Verb">The Kubernetes verb (get, list, watch, create, update, patch, delete).</param>
/// <param name="Resource">The resource, with its subresource (pods, pods/log).</param>
public sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType, string Verb, string Resource);

/// <summary>An error the emulator answers the next matching requests with.</summary>
internal sealed class InjectedError(string verb, string resource, int code, string reason, string message, JsonObject? details, int times)
{
    public string Verb { get; } = verb;

    public string Resource { get; } = resource;

    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public string Message { get; } = message;

    public JsonObject? Details { get; } = details;

    public int Remaining { get; set; } = times;
}
