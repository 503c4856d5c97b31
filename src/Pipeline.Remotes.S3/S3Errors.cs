using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes.S3;

/// <summary>
/// Turns what the SDK throws into one-line <see cref="ObjectDatabaseException"/>s that say what to fix, built from error
/// codes and status only (never from request details, which can carry signed headers), and marks what is worth a retry.
/// </summary>
/// <param name="definition">The remote, for messages.</param>
/// <param name="settings">Its settings.</param>
internal sealed class S3Errors(RemoteDefinition definition, S3Settings settings)
{
    private static readonly HashSet<string> DeniedCodes = new(StringComparer.Ordinal)
    {
        "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "TokenRefreshRequired", "AllAccessDisabled",
    };

    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable",
    };

    /// <summary>Runs an SDK call, translating its failures.</summary>
    public async Task<T> GuardAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Translate(e, what) is { } translated)
        {
            throw translated;
        }
    }

    private ObjectDatabaseException? Translate(Exception e, string what) => e switch
    {
        AmazonS3Exception s3 => FromService(s3, what),
        AmazonServiceException service => FromService(service, what),
        AmazonClientException client when client.Message.Contains("credential", StringComparison.OrdinalIgnoreCase) =>
            new ObjectDatabaseException($"{definition}: no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or add access-key-id and secret-access-key to {RemoteConfigFile.LocalFileName}", false, e),
        AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException =>
            new ObjectDatabaseException($"{definition}: cannot reach {Endpoint()} to {what}: {Innermost(e)}", true, e),
        _ => null,
    };

    private ObjectDatabaseException FromService(AmazonServiceException e, string what)
    {
        var code = e.ErrorCode ?? "";
        var status = (int)e.StatusCode;
        if (code == "NoSuchBucket")
        {
            return new ObjectDatabaseException($"{definition}: bucket '{settings.Bucket}' does not exist at {Endpoint()}; create it, or fix remotes.{definition.Name}.url in {RemoteConfigFile.FileName}", false, e);
        }

        if (DeniedCodes.Contains(code) || e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            return new ObjectDatabaseException(
                $"{definition}: access denied ({Code(code, status)}) trying to {what}; check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or {RemoteConfigFile.LocalFileName}) and the bucket's permissions", false, e);
        }

        var transient = status >= 500 || status == 429 || ThrottlingCodes.Contains(code);
        return new ObjectDatabaseException($"{definition}: the server refused to {what} ({Code(code, status)})", transient, e);
    }

    private string Endpoint() => settings.Endpoint ?? "S3";

    private static string Code(string code, int status) => code.Length > 0 ? $"{code}, HTTP {status}" : $"HTTP {status}";

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message.ReplaceLineEndings(" ");
    }
}
