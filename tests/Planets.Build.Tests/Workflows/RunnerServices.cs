using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Kubernetes.Emulator;
using Pipeline.Testing.Containers;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;
using Pipeline.Testing.S3;

namespace Planets.Build.Tests.Workflows;

/// <summary>
/// What a workflow's secrets and variables point at, started for a hosted-runner test: a real Docker engine and
/// registry, a real S3-compatible server holding the data remote's bucket, and the Kubernetes API emulator, whose pods
/// run as containers of that engine or are simulated. The cluster holds the S3 credentials' secret a training pod
/// reads, as its administrator would have created it.
/// </summary>
internal sealed class RunnerServices : IAsyncDisposable
{
    private const string Bucket = "planets-pipeline-cache";
    private readonly string folder = Directory.CreateTempSubdirectory("runner-services-").FullName;
    private DockerServers? docker;
    private S3Server? s3;
    private IPodRuntime? runtime;

    private RunnerServices()
    {
    }

    private DockerServers Docker => docker ?? throw new InvalidOperationException("the Docker engine has not started");

    private S3Server S3 => s3 ?? throw new InvalidOperationException("the S3 server has not started");

    /// <summary>The Kubernetes API emulator.</summary>
    public KubernetesEmulator Cluster { get; private set; } = null!;

    /// <summary>Where images are pushed (variable IMAGE_REGISTRY): a path of the test registry.</summary>
    public string Registry => $"{Docker.Registry}/e2e";

    /// <summary>Starts every server; pods run in the Docker engine when <paramref name="podsInDocker"/>, else simulated.</summary>
    public static async Task<RunnerServices> StartAsync(bool podsInDocker)
    {
        var services = new RunnerServices();
        try
        {
            await services.StartServersAsync(podsInDocker);
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }

        return services;
    }

    private async Task StartServersAsync(bool podsInDocker)
    {
        docker = await DockerServers.StartAsync();
        s3 = await S3Server.StartFauxqsAsync();
        using (var client = S3Client())
        {
            await client.PutBucketAsync(Bucket);
        }

        runtime = podsInDocker ? new DockerPodRuntime(Docker.DockerHost) : new SimulatedPodRuntime();
        Cluster = await KubernetesEmulator.StartAsync(runtime);
        ClusterSecrets.AddS3Credentials(Cluster);
    }

    /// <summary>
    /// The runner machine: the engine in DOCKER_HOST, <paramref name="variables"/>, and the data remote's endpoint in
    /// the workspace's git-ignored <c>.pipeline/config.local</c> for the data remote and the predictions remote (a hosted
    /// runner would reach the real S3).
    /// </summary>
    public RunnerMachine Machine(IReadOnlyDictionary<string, string> variables) => new(
        new Dictionary<string, string>(variables) { ["DOCKER_HOST"] = Docker.DockerHost },
        new Dictionary<string, string>
        {
            [".pipeline/config.local"] = $"remotes:\n  storage:\n    endpoint: {S3.Endpoint}\n    path-style: true\n  predictions:\n    endpoint: {S3.Endpoint}\n    path-style: true\n",
        });

    /// <summary>Stores <paramref name="log"/> as the deployed service ships a complete prediction log file: an object of the predictions remote named by its MD5.</summary>
    public async Task ShipPredictionsAsync(byte[] log)
    {
        using var client = S3Client();
        var hash = ContentHash.OfFile(ContentHashAlgorithm.Md5.HashData(log), ContentHashAlgorithm.Md5);
        using var content = new MemoryStream(log);
        await client.PutObjectAsync(new() { BucketName = Bucket, Key = $"predictions/{ObjectLayout.KeyOf(hash)}", InputStream = content });
    }

    /// <summary>
    /// The repository's secrets and variables in <paramref name="contexts"/> pointing at these servers: any keys do for
    /// the S3 server, the registry takes anonymous pushes (the login is sent and not asked for), the kubeconfig is the
    /// emulator's.
    /// </summary>
    public JsonObject Secrets(JsonObject contexts)
    {
        var secrets = (JsonObject)contexts["secrets"]!;
        secrets["AWS_ACCESS_KEY_ID"] = "test";
        secrets["AWS_SECRET_ACCESS_KEY"] = "test";
        secrets["KUBECONFIG"] = File.ReadAllText(Cluster.WriteKubeconfig(Path.Combine(folder, "kubeconfig")));
        contexts["vars"]!["IMAGE_REGISTRY"] = Registry;
        return contexts;
    }

    /// <summary>The keys of the objects the data remote holds.</summary>
    public async Task<IReadOnlyList<string>> CachedObjectsAsync()
    {
        using var client = S3Client();
        var listed = await client.ListObjectsV2Async(new() { BucketName = Bucket, Prefix = "cache/" });
        return [.. (listed.S3Objects ?? []).Select(o => o.Key)];
    }

    /// <summary>The digest the registry answers for image <paramref name="name"/> under <paramref name="tag"/>.</summary>
    public async Task<string> DigestAsync(string name, string tag)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri($"http://{Docker.Registry}/v2/e2e/{name}/manifests/{tag}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        (runtime as IDisposable)?.Dispose();
        s3?.Dispose();
        if (docker is not null)
        {
            await docker.DisposeAsync();
        }

        Directory.Delete(folder, recursive: true);
    }

    private AmazonS3Client S3Client() =>
        new(new BasicAWSCredentials("test", "test"), new AmazonS3Config { ServiceURL = S3.Endpoint, ForcePathStyle = true });
}
