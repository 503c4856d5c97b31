using System.Collections.Immutable;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pipeline.Containers.Tests;

/// <summary>Builds and pushes against the real engine and registry of <see cref="DockerFixture"/>.</summary>
[Collection(DockerTests.Name)]
public sealed class ImageBuildAndPushTests(DockerFixture docker) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("image-tests-").FullName;
    private readonly string repository = $"tests/image-{Guid.NewGuid():N}"[..24];
    private readonly RecordingLog log = new();

    [Fact]
    public async Task A_built_and_pushed_image_has_its_layers_and_labels_in_the_registry_under_the_answered_digest()
    {
        var settings = await SettingsAsync("weights-1", "local-a:1");

        var built = await new ImageBuilder(docker.Engine).BuildAsync(settings, log, CancellationToken.None);
        var pushed = await PushAsync(built, "1");

        Assert.Equal(2, built.Layers.Count);
        var (digest, manifest) = await ManifestAsync("1");
        Assert.Equal(digest, pushed.Digest);
        Assert.Equal(2, manifest.GetProperty("layers").GetArrayLength());
        var config = await BlobAsync(manifest.GetProperty("config").GetProperty("digest").GetString()!);
        var labels = config.GetProperty("config").GetProperty("Labels");
        Assert.Equal("abc123", labels.GetProperty("org.opencontainers.image.revision").GetString());
        Assert.Equal("1654", config.GetProperty("config").GetProperty("User").GetString());
        Assert.Equal((2, 0), (pushed.LayersPushed, pushed.LayersSkipped));
        Assert.Equal($"{docker.Servers.Registry}/{repository}@{digest}", pushed.Pinned.ToString());
    }

    [Fact]
    public async Task A_model_only_change_rebuilds_and_pushes_only_the_model_layer()
    {
        var builder = new ImageBuilder(docker.Engine);
        var first = await builder.BuildAsync(await SettingsAsync("weights-1", "local-b:1"), log, CancellationToken.None);
        await PushAsync(first, "1");

        var second = await builder.BuildAsync(await SettingsAsync("weights-2", "local-b:2"), log, CancellationToken.None);
        var pushed = await PushAsync(second, "2");

        Assert.Equal(1, second.CachedSteps);
        Assert.Equal(first.Layers[0], second.Layers[0]);
        Assert.NotEqual(first.Layers[1], second.Layers[1]);
        Assert.Equal((1, 1), (pushed.LayersPushed, pushed.LayersSkipped));
    }

    [Fact]
    public async Task A_failing_build_gives_the_engines_reason_in_one_line()
    {
        var settings = new ImageBuildSettings(Dockerfile.From("scratch").Copy("missing/", "/missing/"), BuildContext.Empty, [ImageReference.Parse("local-c:1")]);

        var error = await Assert.ThrowsAsync<ContainerException>(() => new ImageBuilder(docker.Engine).BuildAsync(settings, log, CancellationToken.None));

        Assert.StartsWith("image build of local-c:1 failed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_push_to_a_registry_that_does_not_answer_names_it()
    {
        var built = await new ImageBuilder(docker.Engine).BuildAsync(await SettingsAsync("weights-1", "local-d:1"), log, CancellationToken.None);
        var target = ImageReference.Parse($"127.0.0.1:{TcpPorts.Free()}/nowhere:1");

        var error = await Assert.ThrowsAsync<ContainerException>(() => new ImagePusher(docker.Engine).PushAsync(built.Id, target, null, log, CancellationToken.None));

        Assert.StartsWith($"push of {target} to {target.Registry} failed: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pushing_an_image_the_engine_lacks_says_to_build_it()
    {
        var error = await Assert.ThrowsAsync<ContainerException>(() =>
            new ImagePusher(docker.Engine).PushAsync("never-built:1", ImageReference.Parse($"{docker.Servers.Registry}/x:1"), null, log, CancellationToken.None));

        Assert.Equal("image never-built:1 not found in the Docker engine: build it first (--target=Containerize)", error.Message);
    }

    [Fact]
    public async Task An_engine_that_does_not_answer_is_one_clear_error()
    {
        var socket = Path.Combine(folder, "no-engine.sock");

        var error = await Assert.ThrowsAsync<ContainerException>(() => DockerEngine.ConnectAsync($"unix://{socket}", CancellationToken.None));

        Assert.StartsWith($"cannot reach the Docker engine at unix://{socket}", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(set DOCKER_HOST to another engine)", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private async Task<ImageBuildSettings> SettingsAsync(string weights, string tag)
    {
        Directory.CreateDirectory(Path.Combine(folder, "app"));
        Directory.CreateDirectory(Path.Combine(folder, "model"));
        await File.WriteAllTextAsync(Path.Combine(folder, "app", "service.txt"), $"the service of {repository}");
        await File.WriteAllTextAsync(Path.Combine(folder, "model", "weights.bin"), weights);
        var dockerfile = Dockerfile.From("scratch").Copy("app/", "/app/").Copy("model/", "/model/").User("1654").Entrypoint("/app/service");
        var context = BuildContext.Empty.WithDirectory("app", Path.Combine(folder, "app")).WithDirectory("model", Path.Combine(folder, "model"));
        return new ImageBuildSettings(dockerfile, context, [ImageReference.Parse(tag)])
        {
            Labels = ImmutableSortedDictionary<string, string>.Empty.Add("org.opencontainers.image.revision", "abc123"),
        };
    }

    private Task<PushedImage> PushAsync(BuiltImage image, string tag) =>
        new ImagePusher(docker.Engine).PushAsync(image.Id, ImageReference.Parse($"{docker.Servers.Registry}/{repository}:{tag}"), null, log, CancellationToken.None);

    private async Task<(string Digest, JsonElement Manifest)> ManifestAsync(string tag)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{docker.Servers.Registry}/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var digest = response.Headers.GetValues("Docker-Content-Digest").Single();
        return (digest, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<JsonElement> BlobAsync(string digest)
    {
        using var http = new HttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://{docker.Servers.Registry}/v2/{repository}/blobs/{digest}"))).RootElement.Clone();
    }
}
