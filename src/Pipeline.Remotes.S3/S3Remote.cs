using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Hashing;

namespace Pipeline.Remotes.S3;

/// <summary>
/// A remote in an S3 bucket under a key prefix, on AWS or an S3-compatible server (MinIO and others, through
/// <see cref="RemoteDefinition.Endpoint"/> and <see cref="RemoteDefinition.PathStyle"/>). A PutObject or a completed
/// multipart upload appears whole or not at all, so an interrupted push never leaves a partial object.
/// </summary>
public sealed class S3Remote : IRemote
{
    /// <summary>Files from this size up are uploaded in parts (several at once, each retried on its own by the SDK's transfer utility).</summary>
    public const long DefaultMultipartThreshold = 64L << 20;

    private readonly AmazonS3Client client;
    private readonly TransferUtility transfers;
    private readonly string bucket;
    private readonly string objectsPrefix;
    private readonly long multipartThreshold;
    private readonly S3Errors errors;

    /// <summary>Connects to the remote's bucket (no request is made until the first call).</summary>
    /// <param name="definition">The remote's configuration.</param>
    /// <param name="multipartThreshold">The size from which uploads go in parts.</param>
    public S3Remote(RemoteDefinition definition, long multipartThreshold = DefaultMultipartThreshold)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definition = definition;
        (bucket, var prefix) = definition.S3Location();
        objectsPrefix = (prefix.Length == 0 ? "" : prefix + "/") + RemoteLayout.ObjectsFolder + "/";
        this.multipartThreshold = multipartThreshold;
        errors = new S3Errors(definition, bucket);
        client = S3ClientFactory.Create(definition);
        transfers = new TransferUtility(client, new TransferUtilityConfig { MinSizeBeforePartUpload = multipartThreshold });
    }

    /// <inheritdoc />
    public RemoteDefinition Definition { get; }

    /// <inheritdoc />
    public Task<IReadOnlyCollection<ContentHash>> ListAsync(string? hashPrefix, CancellationToken cancellationToken) =>
        errors.GuardAsync("list objects", async () =>
        {
            var found = new List<ContentHash>();
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = objectsPrefix + (hashPrefix is null ? "" : hashPrefix + "/") };
            ListObjectsV2Response page;
            do
            {
                page = await client.ListObjectsV2Async(request, cancellationToken);
                found.AddRange((page.S3Objects ?? []).Select(o => RemoteLayout.TryParseKey(o.Key)).OfType<ContentHash>());
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);

            return (IReadOnlyCollection<ContentHash>)found;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> ExistsAsync(ContentHash hash, CancellationToken cancellationToken) =>
        errors.GuardAsync($"check {RemoteLayout.KeyOf(hash)}", async () =>
        {
            try
            {
                await client.GetObjectMetadataAsync(bucket, KeyOf(hash), cancellationToken);
                return true;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task UploadAsync(ContentHash hash, string sourcePath, CancellationToken cancellationToken) =>
        errors.GuardAsync($"upload {RemoteLayout.KeyOf(hash)}", async () =>
        {
            if (new FileInfo(sourcePath).Length >= multipartThreshold)
            {
                var request = new TransferUtilityUploadRequest { BucketName = bucket, Key = KeyOf(hash), FilePath = sourcePath, PartSize = PartSize() };
                await transfers.UploadAsync(request, cancellationToken);
            }
            else
            {
                await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = KeyOf(hash), FilePath = sourcePath }, cancellationToken);
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DownloadAsync(ContentHash hash, Func<Stream, Task> receive, CancellationToken cancellationToken) =>
        errors.GuardAsync($"download {RemoteLayout.KeyOf(hash)}", async () =>
        {
            ArgumentNullException.ThrowIfNull(receive);
            GetObjectResponse response;
            try
            {
                response = await client.GetObjectAsync(bucket, KeyOf(hash), cancellationToken);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
            {
                return false;
            }

            using (response)
            {
                await receive(response.ResponseStream);
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken) =>
        errors.GuardAsync("delete objects", async () =>
        {
            ArgumentNullException.ThrowIfNull(hashes);
            if (hashes.Count == 0)
            {
                return true;
            }

            var request = new DeleteObjectsRequest { BucketName = bucket, Quiet = true, Objects = [.. hashes.Select(h => new KeyVersion { Key = KeyOf(h) })] };
            var response = await client.DeleteObjectsAsync(request, cancellationToken);
            if (response.DeleteErrors is { Count: > 0 } failed)
            {
                throw new AmazonS3Exception($"{failed.Count} objects not deleted, first {failed[0].Key}: {failed[0].Code}") { ErrorCode = failed[0].Code };
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        transfers.Dispose();
        client.Dispose();
    }

    private string KeyOf(ContentHash hash) => objectsPrefix + RemoteLayout.KeyOf(hash)[(RemoteLayout.ObjectsFolder.Length + 1)..];

    // S3 allows parts from 5 MiB and at most 10,000 of them; a quarter of the threshold keeps a large file in a few dozen parts.
    private long PartSize() => Math.Max(5L << 20, multipartThreshold / 4);
}
