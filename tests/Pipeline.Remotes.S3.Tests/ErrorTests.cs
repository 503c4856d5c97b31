using System.Net;
using System.Net.Sockets;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Objects;
using Pipeline.Testing.S3;

namespace Pipeline.Remotes.S3.Tests;

/// <summary>A remote that cannot be used fails with one line saying what to fix, and no secret in it.</summary>
[Collection("s3")]
public sealed class ErrorTests(S3Fixture s3)
{
    private const string Secret = "wrong-secret-do-not-print";

    [Fact]
    public async Task Wrong_credentials_give_one_line_without_the_secret()
    {
        using var server = await S3Server.StartS3rverAsync("guarded");
        var definition = TestRepo.S3Remote("storage", "s3://guarded/cache", server.Endpoint, "NOT-S3RVER", Secret);

        var message = await FailingPushMessageAsync(definition);

        Assert.StartsWith($"remote 'storage' (s3://guarded/cache): access denied (InvalidAccessKeyId, HTTP 403) trying to ", message, StringComparison.Ordinal);
        Assert.Contains("check the credentials", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_right_credentials_work_against_the_server_that_checks_them()
    {
        using var server = await S3Server.StartS3rverAsync("guarded");
        var definition = TestRepo.S3Remote("storage", "s3://guarded/cache", server.Endpoint, S3Server.AccessKey, S3Server.AccessKey);
        using var repo = await TestRepo.WithDataAsync(3);
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);

        var status = await repo.WithTransferAsync(remote, (t, _, roots) => t.StatusAsync(roots, CancellationToken.None));

        Assert.Equal(3 + 2 + 1 + 2, status.LocalOnly.Count);
    }

    [Fact]
    public async Task A_missing_bucket_gives_one_line_naming_it()
    {
        var definition = s3.Remote("storage", "s3://no-such-bucket/cache");

        var message = await FailingPushMessageAsync(definition);

        Assert.Equal($"remote 'storage' (s3://no-such-bucket/cache): bucket 'no-such-bucket' does not exist at {s3.Server.Endpoint}; create it, or fix remotes.storage.url in pipeline.remotes.yaml", message);
    }

    [Fact]
    public async Task An_unreachable_endpoint_gives_one_line_naming_it()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var definition = TestRepo.S3Remote("storage", "s3://bucket/cache", $"http://127.0.0.1:{port}", "k", Secret);

        var message = await FailingPushMessageAsync(definition);

        Assert.StartsWith($"remote 'storage' (s3://bucket/cache): cannot reach http://127.0.0.1:{port} to ", message, StringComparison.Ordinal);
        Assert.Contains("refused", message, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<string> FailingPushMessageAsync(RemoteDefinition definition)
    {
        using var repo = await TestRepo.WithDataAsync(60);
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);
        var error = await Assert.ThrowsAsync<ObjectDatabaseException>(() => repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None)));
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
        return error.Message;
    }
}
