using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes.S3;

/// <summary>
/// An object database in an S3 bucket under a key prefix, on AWS or an S3-compatible server (MinIO and others,
/// through the <c>endpoint</c> and <c>path-style</c> settings). A PutObject or a completed multipart upload appears
/// whole or not at all, so an interrupted push never leaves a partial object.
/// </summary>
public sealed class S3ObjectDatabase : IObjectDatabase
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
    /// <param name="remote">The remote's configuration.</param>
    /// <param name="multipartThreshold">The size from which uploads go in parts.</param>
    /// <exception cref="Core.PipelineException">The remote's settings are malformed.</exception>
    public S3ObjectDatabase(RemoteDefinition remote, long multipartThreshold = DefaultMultipartThreshold)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var settings = S3Settings.From(remote);
        Name = remote.ToString();
        bucket = settings.Bucket;
        objectsPrefix = (settings.Prefix.Length == 0 ? "" : settings.Prefix + "/") + ObjectLayout.ObjectsFolder + "/";
        this.multipartThreshold = multipartThreshold;
        errors = new S3Errors(remote, settings);
        client = S3ClientFactory.Create(remote, settings);
        transfers = new TransferUtility(client, new TransferUtilityConfig { MinSizeBeforePartUpload = multipartThreshold });
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsLocal => false;

    /// <inheritdoc />
    public Task<IReadOnlyCollection<StoredObject>> ListAsync(string? prefix, CancellationToken cancellationToken) =>
        errors.GuardAsync("list objects", async () =>
        {
            var found = new List<StoredObject>();
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = objectsPrefix + (prefix is null ? "" : prefix + "/") };
            ListObjectsV2Response page;
            do
            {
                page = await client.ListObjectsV2Async(request, cancellationToken);
                found.AddRange((page.S3Objects ?? [])
                    .Select(o => (Hash: ObjectLayout.TryParseKey(o.Key), Size: o.Size ?? 0))
                    .Where(o => o.Hash is not null)
                    .Select(o => new StoredObject(o.Hash!.Value, o.Size)));
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);

            return (IReadOnlyCollection<StoredObject>)found;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> ExistsAsync(ContentHash hash, CancellationToken cancellationToken) =>
        errors.GuardAsync($"check {ObjectLayout.KeyOf(hash)}", async () =>
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
    public Task<bool> ReadAsync(ContentHash hash, Func<ObjectContent, Task> receive, CancellationToken cancellationToken) =>
        errors.GuardAsync($"download {ObjectLayout.KeyOf(hash)}", async () =>
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
                await receive(new ObjectContent(response.ResponseStream, response.ContentLength));
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The object's bytes come verified from the local cache, which checks each object before it reads it.</remarks>
    public Task<Task> WriteAsync(ContentHash hash, ObjectContent content, CancellationToken cancellationToken) =>
        errors.GuardAsync($"upload {ObjectLayout.KeyOf(hash)}", async () =>
        {
            ArgumentNullException.ThrowIfNull(content);
            if (content.Length >= multipartThreshold)
            {
                var request = new TransferUtilityUploadRequest { BucketName = bucket, Key = KeyOf(hash), PartSize = PartSize() };
                if (content.LocalPath is { } path)
                {
                    request.FilePath = path;
                }
                else
                {
                    request.InputStream = content.Stream;
                }

                await transfers.UploadAsync(request, cancellationToken);
            }
            else
            {
                var request = new PutObjectRequest { BucketName = bucket, Key = KeyOf(hash), AutoCloseStream = false };
                if (content.LocalPath is { } path)
                {
                    request.FilePath = path;
                }
                else
                {
                    request.InputStream = content.Stream;
                }

                await client.PutObjectAsync(request, cancellationToken);
            }

            return Task.CompletedTask;
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

    /// <inheritdoc />
    public override string ToString() => Name;

    private string KeyOf(ContentHash hash) => objectsPrefix + ObjectLayout.KeyOf(hash)[(ObjectLayout.ObjectsFolder.Length + 1)..];

    // S3 allows parts from 5 MiB and at most 10,000 of them; a quarter of the threshold keeps a large file in a few dozen parts.
    private long PartSize() => Math.Max(5L << 20, multipartThreshold / 4);
}
