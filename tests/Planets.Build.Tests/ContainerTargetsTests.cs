using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Testing.Containers;

namespace Planets.Build.Tests;

/// <summary>
/// Build, Containerize and PushImage with the real <c>dotnet cake</c> against a real Docker engine and registry; the
/// pushed service image run as a container and asked for a prediction.
/// </summary>
public sealed partial class ContainerTargetsTests : IAsyncLifetime, IDisposable
{
    // Its own artifacts: the layer cache is asserted byte for byte, and other copies building the same projects at the
    // same time (each with its own commit in the assemblies' version) must not change the bytes between two builds.
    private readonly RepositoryCopy repository = new(ownArtifacts: true);
    private DockerServers docker = null!;

    public async Task InitializeAsync()
    {
        docker = await DockerServers.StartAsync();
        TestGit.Run(repository.Root, "init", "--quiet");
        TestGit.Commit(repository.Root, "pipeline", "build.cake", "cake.config", "params.yaml");
    }

    [Fact]
    public async Task The_pushed_service_image_serves_predictions_and_a_new_model_rebuilds_and_pushes_one_layer()
    {
        var commit = TestGit.Run(repository.Root, "rev-parse", "HEAD").Trim();
        var containerize = await CakeAsync("--target=Containerize");
        var push = await CakeAsync("--target=PushImage");

        Assert.True(containerize.ExitCode == 0, containerize.Output);
        Assert.Contains($"Built planets-service:{commit[..12]}, planets-service:latest", containerize.Output, StringComparison.Ordinal);
        Assert.True(push.ExitCode == 0, push.Output);
        using var record = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(repository.Root, ".pipeline", "images", "planets-service.json")));
        var digest = record.RootElement.GetProperty("digest").GetString()!;
        var labels = await LabelsAsync(commit[..12], digest);
        Assert.Equal(commit, labels.GetProperty("org.opencontainers.image.revision").GetString());
        var bundle = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(repository.Root, "artifacts", "bundles", "planets-service", "bundle.json")));
        Assert.Equal(bundle.RootElement.GetProperty("model").GetString(), labels.GetProperty("io.planets.model").GetString());
        await AssertServesPredictionsAsync($"{docker.Registry}/e2e/planets-service@{digest}");

        await repository.EditParamsAsync("epochs: 5", "epochs: 2");
        var rebuilt = await CakeAsync("--target=Containerize");
        var pushedAgain = await CakeAsync("--target=PushImage");

        Assert.True(rebuilt.ExitCode == 0, rebuilt.Output);
        Assert.True(StepsFromCache().IsMatch(rebuilt.Output), $"the base and service layers were not reused: {rebuilt.Output}");
        Assert.Contains($"Pushed {docker.Registry}/e2e/planets-service:{commit[..12]}: uploaded 1 of 3 layers", pushedAgain.Output, StringComparison.Ordinal);
    }

    public async Task DisposeAsync() => await docker.DisposeAsync();

    public void Dispose() => repository.Dispose();

    // ENV and the service's COPY come from the cache; only the model store's COPY and what follows it are built.
    [GeneratedRegex(@"Built planets-service:\w+, planets-service:latest: sha256:\w+, [\d.]+ MB, 3 layers, 2 steps from cache")]
    private static partial Regex StepsFromCache();

    private Task<(int ExitCode, string Output)> CakeAsync(string target) =>
        repository.CakeAsync(target, $"--docker-host={docker.DockerHost}", $"--base-image={DockerServers.BaseImage}", $"--registry={docker.Registry}/e2e");

    private async Task<JsonElement> LabelsAsync(string tag, string digest)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{docker.Registry}/v2/e2e/planets-service/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await http.SendAsync(request);
        Assert.Equal(digest, response.Headers.GetValues("Docker-Content-Digest").Single());
        using var manifest = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var config = await http.GetStringAsync(new Uri($"blobs/{manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()}", UriKind.Relative));
        return JsonDocument.Parse(config).RootElement.GetProperty("config").GetProperty("Labels").Clone();
    }

    private async Task AssertServesPredictionsAsync(string image)
    {
        var port = TcpPorts.Free();
        // Host network (no bridge here); a free port instead of 3000, given as a later --urls that overrides the image's.
        var container = (await docker.DockerAsync("run", "-d", "--network", "host", image, "--urls", $"http://127.0.0.1:{port}")).Trim();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitUntilReadyAsync(http);
            var sample = Directory.EnumerateFiles(Path.Combine(repository.Root, "data", "raw", "Saturn")).Order(StringComparer.Ordinal).First();
            using var body = new ByteArrayContent(await File.ReadAllBytesAsync(sample));
            body.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            using var response = await http.PostAsync(new Uri("predict", UriKind.Relative), body);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            using var prediction = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(11, prediction.RootElement.GetProperty("probabilities").EnumerateObject().Count());
            Assert.Contains(prediction.RootElement.GetProperty("prediction").GetString(), prediction.RootElement.GetProperty("probabilities").EnumerateObject().Select(p => p.Name));
            Assert.Equal("1654", (await docker.DockerAsync("inspect", "--format", "{{.Config.User}}", container)).Trim());
        }
        finally
        {
            await docker.DockerAsync("rm", "-f", container);
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient http)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if ((await http.GetAsync(new Uri("readyz", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail("the service container never became ready");
    }
}
