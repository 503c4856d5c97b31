using Pipeline.Core;
using Pipeline.Remotes.Configuration;

namespace Pipeline.Remotes.S3;

/// <summary>
/// An S3 remote's settings, read from its definition: the bucket and key prefix of its URL, the endpoint of an
/// S3-compatible server, addressing, region, and where credentials come from (the keys or profile of
/// <c>.pipeline/config.local</c>, else the SDK's own chain).
/// </summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Prefix">The key prefix, without leading or trailing <c>/</c>.</param>
internal sealed record S3Settings(string Bucket, string Prefix)
{
    /// <summary>The settings an S3 remote takes.</summary>
    public static readonly string[] Names = ["endpoint", "path-style", "region", "chunked-uploads", "etag-checks", "access-key-id", "secret-access-key", "profile"];

    /// <summary>Those that are secrets.</summary>
    public static readonly string[] Secrets = ["access-key-id", "secret-access-key", "profile"];

    /// <summary>The endpoint of an S3-compatible server (such as <c>http://minio:9000</c>); AWS when null.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Address buckets as <c>endpoint/bucket/key</c> rather than <c>bucket.endpoint/key</c> (MinIO needs it).</summary>
    public bool PathStyle { get; init; }

    /// <summary>The region; the AWS configuration chain decides when null.</summary>
    public string? Region { get; init; }

    /// <summary>
    /// Whether uploads may use the SDK's <c>aws-chunked</c> encoding and trailing checksums (AWS takes them; some
    /// S3-compatible servers store the chunk framing as the object's content, or refuse trailing checksums). Off by
    /// default, for compatibility: each upload is then one plain body.
    /// </summary>
    public bool ChunkedUploads { get; init; }

    /// <summary>
    /// Whether a listing's ETag is taken for the MD5 of an object stored in one part, to find corrupt remote copies
    /// without downloading them. On by default; off for buckets whose ETags are not MD5s (SSE-KMS or SSE-C encryption).
    /// </summary>
    public bool EtagChecks { get; init; } = true;

    /// <summary>An access key id from <c>.pipeline/config.local</c>, with <see cref="SecretAccessKey"/>.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>The secret key that goes with <see cref="AccessKeyId"/>.</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>A profile of the AWS shared credentials files.</summary>
    public string? Profile { get; init; }

    /// <summary>Reads and checks <paramref name="remote"/>'s settings.</summary>
    /// <exception cref="PipelineException">One line naming the file and the field.</exception>
    public static S3Settings From(RemoteDefinition remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var rest = remote.Url["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var (bucket, prefix) = slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..].Trim('/'));
        if (bucket.Length == 0)
        {
            throw new PipelineException($"{RemoteConfigFile.FileName}: remotes.{remote.Name}.url: '{remote.Url}' names no bucket; expected s3://bucket/prefix");
        }

        var settings = new S3Settings(bucket, prefix)
        {
            Endpoint = EndpointOf(remote),
            PathStyle = remote.Settings.TryGetValue("path-style", out var pathStyle) && Bool(remote, "path-style", pathStyle),
            Region = Text(remote, "region"),
            ChunkedUploads = remote.Settings.TryGetValue("chunked-uploads", out var chunked) && Bool(remote, "chunked-uploads", chunked),
            EtagChecks = !remote.Settings.TryGetValue("etag-checks", out var etags) || Bool(remote, "etag-checks", etags),
            AccessKeyId = Text(remote, "access-key-id"),
            SecretAccessKey = Text(remote, "secret-access-key"),
            Profile = Text(remote, "profile"),
        };
        if ((settings.AccessKeyId is null) != (settings.SecretAccessKey is null))
        {
            throw new PipelineException(
                $"{RemoteConfigFile.LocalFileName}: remotes.{remote.Name}.{(settings.AccessKeyId is null ? "access-key-id" : "secret-access-key")}: missing; access-key-id and secret-access-key go together");
        }

        return settings;
    }

    private static string? EndpointOf(RemoteDefinition remote)
    {
        if (!remote.Settings.TryGetValue("endpoint", out var endpoint))
        {
            return null;
        }

        return Uri.TryCreate(endpoint.Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? endpoint.Value
            : throw new PipelineException($"{endpoint.FileName}: remotes.{remote.Name}.endpoint: '{endpoint.Value}' is not an http:// or https:// URL");
    }

    private static string? Text(RemoteDefinition remote, string key) => remote.Setting(key) is { Length: > 0 } value ? value : null;

    private static bool Bool(RemoteDefinition remote, string key, RemoteSetting setting) => setting.Value.ToLowerInvariant() switch
    {
        "true" or "yes" => true,
        "false" or "no" => false,
        _ => throw new PipelineException($"{setting.FileName}: remotes.{remote.Name}.{key}: '{setting.Value}' is not true or false"),
    };
}
