namespace Pipeline.Remotes.Configuration;

/// <summary>What kind of storage a remote URL names.</summary>
public enum RemoteKind
{
    /// <summary>A local or network folder (<c>/mnt/nas/cache</c>, <c>../shared-cache</c>, <c>file:///srv/cache</c>).</summary>
    Folder,

    /// <summary>An S3 bucket and key prefix (<c>s3://bucket/prefix</c>), on AWS or an S3-compatible server.</summary>
    S3,
}

/// <summary>
/// One named remote as configured: where it is and how to reach it. Credentials are never part of it; they come from
/// <see cref="RemoteCredentials"/>, which only <c>.pipeline/config.local</c> or the environment can supply.
/// </summary>
/// <param name="Name">The remote's name, as <c>--remote=NAME</c> selects it.</param>
/// <param name="Url">The URL as written in the configuration.</param>
public sealed record RemoteDefinition(string Name, string Url)
{
    /// <summary>Folder or S3, from the URL's form.</summary>
    public RemoteKind Kind => Url.StartsWith("s3://", StringComparison.Ordinal) ? RemoteKind.S3 : RemoteKind.Folder;

    /// <summary>For S3: the endpoint of an S3-compatible server (such as <c>http://minio:9000</c>); AWS when null.</summary>
    public string? Endpoint { get; init; }

    /// <summary>For S3: address buckets as <c>endpoint/bucket/key</c> rather than <c>bucket.endpoint/key</c> (MinIO needs it).</summary>
    public bool PathStyle { get; init; }

    /// <summary>For S3: the region; the AWS configuration chain decides when null.</summary>
    public string? Region { get; init; }

    /// <summary>How many objects move at once, unless <c>--jobs</c> says otherwise; null for the default.</summary>
    public int? Jobs { get; init; }

    /// <summary>Keys from <c>.pipeline/config.local</c>; null to use the environment and the AWS credential chain.</summary>
    public RemoteCredentials? Credentials { get; init; }

    /// <summary>The folder of a folder remote, absolute, with a relative path taken from <paramref name="repositoryRoot"/>.</summary>
    public string FolderPath(string repositoryRoot)
    {
        var path = Url.StartsWith("file://", StringComparison.Ordinal) ? new Uri(Url).LocalPath : Url;
        return Path.GetFullPath(Path.Combine(repositoryRoot, path));
    }

    /// <summary>The bucket and key prefix of an S3 remote (the prefix without leading or trailing <c>/</c>).</summary>
    public (string Bucket, string Prefix) S3Location()
    {
        var rest = Url["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..].Trim('/'));
    }

    /// <summary>The remote as messages name it: name and URL, and never a secret.</summary>
    public override string ToString() => $"remote '{Name}' ({Url})";
}

/// <summary>Keys for an S3 remote, read only from the git-ignored <c>.pipeline/config.local</c>.</summary>
/// <param name="AccessKeyId">The access key id, or null to use a profile.</param>
/// <param name="SecretAccessKey">The secret key, or null to use a profile.</param>
/// <param name="Profile">A profile of the AWS shared credentials file, or null.</param>
public sealed record RemoteCredentials(string? AccessKeyId, string? SecretAccessKey, string? Profile)
{
    /// <summary>Says which kind of credentials these are; the keys themselves never appear in a message or log.</summary>
    public override string ToString() => Profile is not null ? $"profile '{Profile}'" : "keys from .pipeline/config.local";
}
