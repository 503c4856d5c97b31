using Pipeline.Core.Tracking;

namespace Pipeline.Remotes.S3.Tests;

/// <summary>Files from the multipart threshold up go to S3 in parts, several at once, and come back whole.</summary>
[Collection("s3")]
public sealed class MultipartTests(S3Fixture s3)
{
    [Fact]
    public async Task Large_files_go_up_in_parts_and_come_back_whole()
    {
        using var repo = TestRepo.Empty();
        var bytes = new byte[12 << 20];
        new Random(7).NextBytes(bytes);
        Directory.CreateDirectory(repo["big"]);
        await File.WriteAllBytesAsync(repo["big/blob.bin"], bytes);
        await using (var workspace = await repo.OpenAsync())
        {
            await new TrackedData(workspace).AddAsync("big", [], CancellationToken.None);
        }

        var definition = await s3.NewRemoteAsync();
        using var remote = new S3ObjectDatabase(definition, multipartThreshold: 5L << 20);
        await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));
        using var clone = repo.CloneCommitted();
        await clone.WithTransferAsync(remote, (t, _, roots) => t.FetchAsync(roots, CancellationToken.None));
        await using var cloned = await clone.OpenAsync();
        await new WorkspaceCheckout(cloned).RunAsync(CancellationToken.None);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(clone["big/blob.bin"]));
    }
}
