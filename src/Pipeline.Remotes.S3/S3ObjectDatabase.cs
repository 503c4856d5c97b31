using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
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
    /// <summary>Files from this size up are uploaded in parts, several at once (a failed upload is retried whole by the transfer).</summary>
    public const long DefaultMultipartThreshold = 64L << 20;

    // Parts of one large object uploaded at once; the transfer already moves several objects at a time.
    private const int PartsAtOnce = 4;

    private readonly AmazonS3Client client;
    private readonly S3Settings settings;
    private readonly string bucket;
    private readonly string rootPrefix;
    private readonly long multipartThreshold;
    private readonly S3Errors errors;

    /// <summary>Connects to the remote's bucket (no request is made until the first call).</summary>
    /// <param name="remote">The remote's configuration.</param>
    /// <param name="multipartThreshold">The size from which uploads go in parts.</param>
    /// <exception cref="Core.PipelineException">The remote's settings are malformed.</exception>
    public S3ObjectDatabase(RemoteDefinition remote, long multipartThreshold = DefaultMultipartThreshold)
    {
        ArgumentNullException.ThrowIfNull(remote);
        settings = S3Settings.From(remote);
        Name = remote.ToString();
        bucket = settings.Bucket;
        rootPrefix = settings.Prefix.Length == 0 ? "" : settings.Prefix + "/";
        this.multipartThreshold = multipartThreshold;
        errors = new S3Errors(remote, settings);
        client = S3ClientFactory.Create(remote, settings);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsLocal => false;

    /// <inheritdoc />
    public Task<IReadOnlyCollection<StoredObject>> ListAsync(string? shard, CancellationToken cancellationToken) =>
        errors.GuardAsync("list objects", async () =>
        {
            var found = new List<StoredObject>();
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = $"{rootPrefix}{ObjectLayout.ObjectsFolder}/{(shard is null ? "" : shard + "/")}" };
            ListObjectsV2Response page;
            do
            {
                page = await client.ListObjectsV2Async(request, cancellationToken);
                found.AddRange((page.S3Objects ?? [])
                    .Select(o => (Hash: ObjectLayout.TryParseKey(o.Key), o.Size, o.ETag))
                    .Where(o => o.Hash is not null)
                    .Select(o => new StoredObject(o.Hash!.Value, o.Size ?? 0, Md5Of(o.ETag))));
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);

            return (IReadOnlyCollection<StoredObject>)found;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<StoredObject?> StatAsync(ContentHash hash, CancellationToken cancellationToken) =>
        errors.GuardAsync($"check {ObjectLayout.KeyOf(hash)}", async () =>
        {
            try
            {
                var metadata = await client.GetObjectMetadataAsync(bucket, KeyOf(hash), cancellationToken);
                return new StoredObject(hash, metadata.ContentLength, Md5Of(metadata.ETag));
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return (StoredObject?)null;
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
            if (content.Length >= multipartThreshold && content.LocalPath is { } path)
            {
                await UploadInPartsAsync(KeyOf(hash), path, content.Length, cancellationToken);
            }
            else
            {
                var request = new PutObjectRequest { BucketName = bucket, Key = KeyOf(hash), UseChunkEncoding = settings.ChunkedUploads, AutoCloseStream = false };
                if (content.LocalPath is { } file)
                {
                    request.FilePath = file;
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
    public void Dispose() => client.Dispose();

    /// <inheritdoc />
    public override string ToString() => Name;

    // A multipart upload appears as an object only when completed, so an interrupted one leaves nothing under the key;
    // it is aborted on failure so that its parts do not linger (and cost) on the server.
    private async Task UploadInPartsAsync(string key, string path, long length, CancellationToken cancellationToken)
    {
        var upload = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, cancellationToken);
        try
        {
            var partSize = PartSize();
            var parts = new PartETag[(int)((length + partSize - 1) / partSize)];
            await Parallel.ForEachAsync(Enumerable.Range(0, parts.Length), new ParallelOptions { MaxDegreeOfParallelism = PartsAtOnce, CancellationToken = cancellationToken }, async (index, token) =>
            {
                var offset = index * partSize;
                var response = await client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = index + 1,
                        FilePath = path,
                        FilePosition = offset,
                        PartSize = Math.Min(partSize, length - offset),
                        UseChunkEncoding = settings.ChunkedUploads,
                    },
                    token);
                parts[index] = new PartETag(index + 1, response.ETag);
            });
            await client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = [.. parts] }, cancellationToken);
        }
        catch
        {
            await AbortAsync(key, upload.UploadId);
            throw;
        }
    }

    // The failure that made the upload stop is what the user must see, not a failure to clean up after it.
    private async Task AbortAsync(string key, string uploadId)
    {
        try
        {
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, CancellationToken.None);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException)
        {
            // Left for the bucket's lifecycle rule on incomplete uploads, or a later RemoteGc of the server.
        }
    }

    // An object stored in one part has its content's MD5 as ETag ("…", 32 hex digits); a multipart one has "…-N".
    private ContentHash? Md5Of(string? etag) =>
        settings.EtagChecks && etag?.Trim('"').ToLowerInvariant() is { Length: 32 } md5 && md5.All(char.IsAsciiHexDigit)
            ? new ContentHash(md5, ContentHashAlgorithm.Md5)
            : null;

    private string KeyOf(ContentHash hash) => rootPrefix + ObjectLayout.KeyOf(hash);

    // S3 allows parts from 5 MiB and at most 10,000 of them; a quarter of the threshold keeps a large file in a few dozen parts.
    private long PartSize() => Math.Max(5L << 20, multipartThreshold / 4);
}
