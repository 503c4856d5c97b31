using Pipeline.Remotes.Configuration;
using Pipeline.Testing.S3;

namespace Pipeline.Remotes.S3.Tests;

/// <summary>
/// S3-compatible servers as they really are: s3rver stores an <c>aws-chunked</c> upload body as it arrives, chunk
/// framing and all. Plain uploads, the default, work with it; chunked ones, which AWS takes, are caught by the
/// listing's ETags instead of reaching a clone as corrupt objects.
/// </summary>
public sealed class S3CompatibilityTests
{
    [Fact]
    public async Task Plain_uploads_by_default_push_and_pull_intact_through_a_server_that_keeps_chunk_framing()
    {
        using var server = await S3Server.StartS3rverAsync("plain");
        using var repo = await TestRepo.WithDataAsync(12);
        var definition = TestRepo.S3Remote("storage", "s3://plain/cache", server.Endpoint, S3Server.AccessKey, S3Server.AccessKey);
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);

        var trip = await repo.RoundTripAsync(remote);
        using var clone = trip.Cloned;

        Assert.Empty(trip.Pushed.Failed);
        Assert.Equal((trip.Pushed.Transferred, 0), (trip.Status.InSync, trip.Status.Corrupt.Count));
        Assert.Empty(trip.Fetched.Failed);
        Assert.Equal(repo.Snapshot("data", "notes.txt", "model"), clone.Snapshot("data", "notes.txt", "model"));
    }

    [Fact]
    public async Task Chunked_uploads_the_server_mangles_are_found_by_status_without_a_download()
    {
        using var server = await S3Server.StartS3rverAsync("chunked");
        using var repo = await TestRepo.WithDataAsync(4);
        var plain = TestRepo.S3Remote("storage", "s3://chunked/cache", server.Endpoint, S3Server.AccessKey, S3Server.AccessKey);
        var definition = plain with { Settings = plain.Settings.Add("chunked-uploads", new RemoteSetting("true", RemoteConfigFile.FileName)) };
        using var remote = TestRepo.Kinds.Open(definition, repo.Root);

        await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));
        var status = await repo.WithTransferAsync(remote, (t, _, roots) => t.StatusAsync(roots, CancellationToken.None));

        Assert.NotEmpty(status.Corrupt);
        Assert.Equal(status.Corrupt.Count, status.LocalOnly.Count);
    }
}
