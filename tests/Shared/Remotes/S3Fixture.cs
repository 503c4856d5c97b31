using Amazon.Runtime;
using Amazon.S3;
using Pipeline.Remotes.Configuration;
using Pipeline.Testing.S3;

namespace Pipeline.Testing;

/// <summary>One fauxqs server shared by the tests of the <c>s3</c> collection; each test uses a bucket of its own.</summary>
public sealed class S3Fixture : IAsyncLifetime
{
    private S3Server? server;

    public S3Server Server => server ?? throw new InvalidOperationException("the server has not started");

    public async Task InitializeAsync() => server = await S3Server.StartFauxqsAsync();

    public Task DisposeAsync()
    {
        server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A new bucket and a remote definition under a prefix in it.</summary>
    public async Task<RemoteDefinition> NewRemoteAsync(string name = "storage")
    {
        var bucket = "b" + Guid.NewGuid().ToString("N")[..12];
        using var client = Client();
        await client.PutBucketAsync(bucket);
        return Remote(name, $"s3://{bucket}/cache");
    }

    public RemoteDefinition Remote(string name, string url) => TestRepo.S3Remote(name, url, Server.Endpoint, "test", "test-secret");

    /// <summary>The bucket and key prefix of an S3 remote's URL, for what a test does "by hand" on the server.</summary>
    public static (string Bucket, string Prefix) Location(RemoteDefinition remote)
    {
        var rest = remote.Url["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..].Trim('/'));
    }

    /// <summary>A plain SDK client, for what a test does "by hand" on the server.</summary>
    public AmazonS3Client Client() =>
        new(new BasicAWSCredentials("test", "test-secret"), new AmazonS3Config { ServiceURL = Server.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
}

[CollectionDefinition("s3")]
public sealed class S3ServerGroup : ICollectionFixture<S3Fixture>;
