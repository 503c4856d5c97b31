using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Planets.Models.Preprocessing;
using Planets.Serving.Inference;

namespace Planets.Serving.Tests;

[Collection(ServiceGroup.Name)]
public sealed class BatcherTests(ServiceFixture service)
{
    [Fact]
    public async Task A_full_queue_refuses_at_once_instead_of_growing()
    {
        using var classifier = OnnxClassifier.Load(service.Model, service.Classifier, threads: 1);
        var batcher = new PredictionBatcher(classifier, service.Classifier.Labels, new ServingOptions { QueueCapacity = 2 });
        var image = new float[classifier.ImageLength];

        // The batch loop is not running yet: two images fill the queue, the third is refused.
        var first = batcher.PredictAsync(image, null, CancellationToken.None);
        var second = batcher.PredictAsync(image, null, CancellationToken.None);
        Assert.Throws<ServiceBusyException>(() => { _ = batcher.PredictAsync(image, null, CancellationToken.None); });

        using var stop = new CancellationTokenSource();
        var loop = batcher.RunAsync(stop.Token);
        var answers = await Task.WhenAll(first, second);
        Assert.Equal(answers[0], answers[1], (a, b) => a.Label == b.Label);
        await stop.CancelAsync();
        await loop;
        await Assert.ThrowsAsync<ServiceBusyException>(() => batcher.PredictAsync(image, null, CancellationToken.None));
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_gets_no_forward_pass()
    {
        using var classifier = OnnxClassifier.Load(service.Model, service.Classifier, threads: 1);
        var batcher = new PredictionBatcher(classifier, service.Classifier.Labels, new ServingOptions());
        using var cancel = new CancellationTokenSource();
        var pending = batcher.PredictAsync(new float[classifier.ImageLength], null, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Not_ready_until_the_model_is_loaded()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ServingOptions { Store = service.Store });
        using var host = new ModelHost(options, new NoLifetime(), NullLogger<ModelHost>.Instance);
        var before = await host.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, before.Status);

        await host.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (host.Current is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(HealthStatus.Healthy, (await host.CheckHealthAsync(new HealthCheckContext())).Status);
        var pixels = new ImagePreprocessor(service.Classifier.Preprocessing).Preprocess(await File.ReadAllBytesAsync(service.SampleImages[0]));
        var prediction = await host.Current!.Batcher.PredictAsync(pixels, null, CancellationToken.None);
        Assert.Contains(prediction.Label, service.Classifier.Labels);
        await host.StopAsync(CancellationToken.None);
        Assert.Null(host.Current);
    }

    private sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
