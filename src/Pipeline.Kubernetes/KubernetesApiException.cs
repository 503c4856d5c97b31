using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Pipeline.Kubernetes;

/// <summary>
/// A request to the Kubernetes API failed, or no cluster could be reached; the message is one line a person can act
/// on (what was refused, where, and why) and never contains credentials.
/// </summary>
public class KubernetesApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KubernetesApiException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public KubernetesApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public KubernetesApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the API server answered with; null when it was not reached.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The Status reason the API server gave (Forbidden, Conflict, NotFound…); null when it gave none.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// Turns a failure of the client library into a <see cref="KubernetesApiException"/>; returns null for an exception
    /// that is no API failure (cancellation, a bug), which the caller rethrows unchanged.
    /// </summary>
    /// <param name="exception">What the client threw.</param>
    /// <param name="server">The API server's address, named when it cannot be reached.</param>
    public static KubernetesApiException? From(Exception exception, Uri? server)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            KubernetesApiException known => known,
            HttpOperationException http => FromResponse(http),
            k8s.KubernetesException watchError => FromStatus(watchError.Status, null, null, watchError),
            HttpRequestException network => new KubernetesApiException(
                $"cannot reach the Kubernetes API at {server?.ToString() ?? "(unknown server)"}: {NetworkReason(network)}", network),
            _ => null,
        };
    }

    private static KubernetesApiException FromResponse(HttpOperationException http)
    {
        V1Status? status = null;
        try
        {
            status = http.Response?.Content is { Length: > 0 } content && content.TrimStart().StartsWith('{')
                ? KubernetesJson.Deserialize<V1Status>(content)
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // A proxy in front of the API server may answer with HTML; the HTTP status alone still says enough.
        }

        status ??= new V1Status { Code = (int?)http.Response?.StatusCode, Message = http.Response?.ReasonPhrase };
        status.Code ??= (int?)http.Response?.StatusCode;
        return FromStatus(status, http.Request?.Method, http.Request?.RequestUri, http);
    }

    private static KubernetesApiException FromStatus(V1Status status, HttpMethod? method, Uri? uri, Exception cause)
    {
        var target = RequestTarget.Parse(method, uri);
        var detail = status.Message ?? status.Reason ?? "no details";
        var message = status.Code switch
        {
            (int)HttpStatusCode.Forbidden =>
                $"forbidden: not allowed to {target.Verb} {target.Resource}{target.InNamespace} ({detail})",
            (int)HttpStatusCode.Unauthorized =>
                $"unauthorized: the API server rejected the credentials of the kubeconfig while trying to {target.Verb} {target.Resource}",
            (int)HttpStatusCode.Conflict when status.Details?.Causes?.Any(c => c.Reason == "FieldManagerConflict") == true =>
                $"conflict: another field manager owns fields this apply sets on {target.Object} ({detail}); " +
                "take ownership with a forced apply, or change those fields back through their manager",
            (int)HttpStatusCode.Conflict => $"conflict on {target.Object}: {detail}",
            (int)HttpStatusCode.NotFound when status.Details?.Kind == "namespaces" =>
                $"namespace \"{status.Details.Name}\" does not exist; create it (kubectl create namespace {status.Details.Name}) or choose another",
            (int)HttpStatusCode.NotFound => $"not found: {detail}",
            _ => $"the API server refused to {target.Verb} {target.Resource}{target.InNamespace}: {status.Code} {status.Reason}: {detail}",
        };
        return new KubernetesApiException(message, cause) { StatusCode = status.Code, Reason = status.Reason };
    }

    private static string NetworkReason(HttpRequestException exception) =>
        exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } || exception.HttpRequestError == HttpRequestError.ConnectionError
            ? "connection refused (is the cluster running, and is the kubeconfig's server address right?)"
            : exception.Message;

    /// <summary>What a request URL asked for, in kubectl's words (verb, resource, namespace).</summary>
    private sealed record RequestTarget(string Verb, string Resource, string? Namespace, string? Name)
    {
        public string InNamespace => Namespace is null ? "" : $" in namespace \"{Namespace}\"";

        public string Object => Name is null ? Resource : $"{Resource}/{Name}";

        public static RequestTarget Parse(HttpMethod? method, Uri? uri)
        {
            // Paths are /api/v1/namespaces/{ns}/{resource}/{name}[/{sub}] or /apis/{group}/{version}/…
            var segments = uri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
            var rest = segments.Length > 0 && segments[0] == "apis" ? segments.Skip(3).ToArray() : segments.Skip(2).ToArray();
            string? ns = null;
            if (rest.Length >= 3 && rest[0] == "namespaces")
            {
                ns = rest[1];
                rest = rest[2..];
            }

            var resource = rest.Length > 0 ? rest[0] : "resources";
            var name = rest.Length > 1 ? rest[1] : null;
            if (rest.Length > 2)
            {
                resource = $"{resource}/{rest[2]}";
            }

            var watch = uri?.Query.Contains("watch=true", StringComparison.Ordinal) == true;
            var verb = method?.Method switch
            {
                "GET" when watch => "watch",
                "GET" when name is null => "list",
                "GET" => "get",
                "POST" => "create",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "access",
            };
            return new RequestTarget(verb, resource, ns, name);
        }
    }
}
