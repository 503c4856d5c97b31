using System.Net;
using Microsoft.AspNetCore.Builder;
using Pipeline.Models;
using Planets.Models;

namespace Planets.Serving.Tests;

/// <summary>
/// Trains a small model on a tiny generated dataset with Planets.Ml's own commands, saves it in a model store in a
/// temporary folder and runs the prediction service on a free loopback port, once for all test classes that use it.
/// </summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    /// <summary>The single-image body limit the service runs with, small so a 413 is cheap to provoke.</summary>
    public const long MaxImageBytes = 64 * 1024;

    public TempDir Dir { get; } = new();

    public string Raw => Dir["raw"];

    public string Store => Dir["store"];

    public string ModelDir => Dir["model"];

    /// <summary>The service's prediction log folder.</summary>
    public string PredictionLog => Dir["predictions"];

    public StoredModel Model { get; private set; } = null!;

    /// <summary>The model's classes, preprocessing and tensors, as the store keeps them.</summary>
    public ClassifierMetadata Classifier { get; private set; } = null!;

    public WebApplication Service { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress => Client.BaseAddress!;

    /// <summary>One generated image of each class.</summary>
    public IReadOnlyList<string> SampleImages =>
        [.. Directory.GetDirectories(Raw).Order(StringComparer.Ordinal).Select(d => Directory.GetFiles(d).Order(StringComparer.Ordinal).First())];

    public async Task InitializeAsync()
    {
        var paramsFile = Dir["params.yaml"];
        await File.WriteAllTextAsync(paramsFile, Ml.Params);
        await Ml.RunOkAsync("generate", Raw, "--per-class", "6");
        await Ml.RunOkAsync("prepare", Raw, Dir["prepared"], "--params", paramsFile);
        await Ml.RunOkAsync("train", Dir["prepared"], ModelDir, "--params", paramsFile, "--store", Store);
        Model = await new ModelStore(Store).GetAsync(ModelTag.Parse("latest", "planets-classifier"), CancellationToken.None);
        Classifier = ClassifierMetadata.Of(Model);

        Service = ServingApp.Build(
            ["--store", Store, "--model", "latest", "--urls", "http://127.0.0.1:0", "--max-image-bytes", MaxImageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--label-studio-local-files", Raw, "--label-studio-allowed-hosts", "localhost", "--prediction-log", PredictionLog]);
        await Service.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(Service.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Service.StopAsync();
        await Service.DisposeAsync();
        Dir.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Client.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the service did not become ready within 30 s");
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceGroup : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
