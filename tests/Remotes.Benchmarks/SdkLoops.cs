using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Remotes.Benchmarks;

/// <summary>The baselines: the plain SDK, one PutObject or GetObject per file, one after another or N at a time.</summary>
internal sealed class SdkLoops(string endpoint) : IDisposable
{
    private readonly AmazonS3Client client = new(
        new BasicAWSCredentials("bench", "bench-secret"),
        new AmazonS3Config { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public async Task CreateBucketAsync(string bucket) => await client.PutBucketAsync(bucket);

    public async Task PutSequentialAsync(string bucket, IReadOnlyList<(string Key, string Path)> files)
    {
        foreach (var (key, path) in files)
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, FilePath = path });
        }
    }

    public async Task GetSequentialAsync(string bucket, IReadOnlyList<(string Key, string Path)> files)
    {
        foreach (var (key, path) in files)
        {
            await GetAsync(bucket, key, path);
        }
    }

    public Task PutParallelAsync(string bucket, IReadOnlyList<(string Key, string Path)> files, int jobs) =>
        ParallelAsync(files, jobs, file => client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = file.Key, FilePath = file.Path }));

    public Task GetParallelAsync(string bucket, IReadOnlyList<(string Key, string Path)> files, int jobs, bool flushToDisk = false) =>
        ParallelAsync(files, jobs, file => GetAsync(bucket, file.Key, file.Path, flushToDisk));

    public void Dispose() => client.Dispose();

    private static async Task ParallelAsync<T>(IReadOnlyList<(string Key, string Path)> files, int jobs, Func<(string Key, string Path), Task<T>> action)
    {
        using var gate = new SemaphoreSlim(jobs);
        await Task.WhenAll(files.Select(async file =>
        {
            await gate.WaitAsync();
            try
            {
                await action(file);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task<bool> GetAsync(string bucket, string key, string path, bool flushToDisk = false)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var output = File.Create(path);
        await response.ResponseStream.CopyToAsync(output);
        if (flushToDisk)
        {
            // What the cache does for every object, so that a crash never leaves a file that only looks complete.
            output.Flush(flushToDisk: true);
        }

        return true;
    }
}
