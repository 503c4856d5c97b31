using System.Net;
using Planets.Ml.Config;
using Planets.Ml.Training;
using Planets.Models.Preprocessing;
using static TorchSharp.torch;

namespace Planets.Serving.Tests;

[Collection(ServiceGroup.Name)]
public sealed class PredictionTests(ServiceFixture service)
{
    [Fact]
    public async Task Predict_answers_like_the_reference_with_labels_in_model_order()
    {
        using var response = await Http.PostImageAsync(service.Client, await File.ReadAllBytesAsync(service.SampleImages[0]), "image/jpeg");
        var answer = await Http.ReadAnswerAsync(response);

        Assert.Equal(service.Classifier.Labels, answer.Probabilities.Select(p => p.Key));
        Assert.Equal(1.0, answer.Probabilities.Sum(p => p.Value), 4);
        Assert.Equal(answer.Probabilities.MaxBy(p => p.Value).Key, answer.Prediction);
    }

    [Fact]
    public async Task Service_predictions_equal_the_offline_torchsharp_model_for_the_same_images()
    {
        var offline = await OfflineModel.LoadAsync(service);
        foreach (var path in service.SampleImages)
        {
            var bytes = await File.ReadAllBytesAsync(path);
            using var response = await Http.PostImageAsync(service.Client, bytes, "image/jpeg");
            var answer = await Http.ReadAnswerAsync(response);
            var expected = offline.Probabilities(bytes);

            Assert.Equal(service.Classifier.Labels[Array.IndexOf(expected, expected.Max())], answer.Prediction);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], answer.Probabilities[i].Value, 1e-5f);
            }
        }
    }

    [Fact]
    public async Task Multipart_and_png_bodies_give_the_same_answer_as_a_jpeg_body()
    {
        var jpeg = await File.ReadAllBytesAsync(service.SampleImages[3]);
        using var raw = await Http.PostImageAsync(service.Client, jpeg, "image/jpeg");
        using var form = await Http.PostFormAsync(service.Client, "/predict", ("mars.jpg", jpeg, "image/jpeg"));
        using var png = await Http.PostImageAsync(service.Client, ToPng(jpeg), "image/png");

        var expected = await Http.ReadAnswerAsync(raw);
        foreach (var other in new[] { await Http.ReadAnswerAsync(form), await Http.ReadAnswerAsync(png) })
        {
            Assert.Equal(expected.Prediction, other.Prediction);
            Assert.Equal(expected.Probabilities.Select(p => p.Value), other.Probabilities.Select(p => p.Value));
        }
    }

    [Fact]
    public async Task Batch_answers_each_file_in_upload_order_as_single_predictions_do()
    {
        var files = service.SampleImages.Take(5).Select(p => (Path.GetFileName(p), File.ReadAllBytes(p), "image/jpeg")).ToArray();
        using var response = await Http.PostFormAsync(service.Client, "/predict/batch", files);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(text);
        var predictions = json.RootElement.GetProperty("predictions").EnumerateArray().ToArray();

        Assert.Equal(files.Select(f => f.Item1), predictions.Select(p => p.GetProperty("file").GetString()));
        for (var i = 0; i < files.Length; i++)
        {
            using var single = await Http.PostImageAsync(service.Client, files[i].Item2, "image/jpeg");
            var expected = await Http.ReadAnswerAsync(single);
            var actual = Answer.From(predictions[i]);
            Assert.Equal(expected.Prediction, actual.Prediction);
            Assert.Equal(expected.Probabilities.Select(p => p.Value), actual.Probabilities.Select(p => p.Value), new Tolerance(1e-6f));
        }
    }

    [Fact]
    public async Task Concurrent_requests_are_batched_and_each_gets_its_own_answer()
    {
        var images = service.SampleImages.Select(File.ReadAllBytes).ToArray();
        var expected = new List<Answer>();
        foreach (var image in images)
        {
            using var response = await Http.PostImageAsync(service.Client, image, "image/jpeg");
            expected.Add(await Http.ReadAnswerAsync(response));
        }

        var before = await MetricAsync("planets_prediction_batch_size_count");
        var beforeSum = await MetricAsync("planets_prediction_batch_size_sum");
        var requests = Enumerable.Range(0, 64).Select(async i =>
        {
            using var response = await Http.PostImageAsync(service.Client, images[i % images.Length], "image/jpeg");
            return (i, await Http.ReadAnswerAsync(response));
        });
        foreach (var (i, answer) in await Task.WhenAll(requests))
        {
            Assert.Equal(expected[i % images.Length].Prediction, answer.Prediction);
            Assert.Equal(expected[i % images.Length].Probabilities.Select(p => p.Value), answer.Probabilities.Select(p => p.Value), new Tolerance(1e-6f));
        }

        var passes = await MetricAsync("planets_prediction_batch_size_count") - before;
        Assert.Equal(64, await MetricAsync("planets_prediction_batch_size_sum") - beforeSum);
        Assert.True(passes < 64, $"64 concurrent requests took {passes} forward passes; expected some to share one");
    }

    [Fact]
    public async Task Health_endpoints_answer_and_metrics_count_requests_by_route_and_status()
    {
        foreach (var path in new[] { "/livez", "/readyz", "/healthz" })
        {
            using var response = await service.Client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (await Http.PostImageAsync(service.Client, await File.ReadAllBytesAsync(service.SampleImages[0]), "image/jpeg"))
        {
        }

        var metrics = await service.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("http_requests_received_total{code=\"200\",method=\"POST\",controller=\"\",action=\"\",endpoint=\"/predict\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("http_request_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("http_requests_in_progress", metrics, StringComparison.Ordinal);
        Assert.Contains("planets_prediction_batch_size_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains($"planets_model_info{{name=\"planets-classifier\",version=\"{service.Model.Manifest.Version}\"}} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_prediction_endpoints_and_the_docs_page_is_served()
    {
        var document = await service.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        using var json = System.Text.Json.JsonDocument.Parse(document);
        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/predict", out var predict));
        Assert.True(paths.TryGetProperty("/predict/batch", out _));
        Assert.True(predict.GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("image/jpeg", out _));

        var docs = await service.Client.GetStringAsync(new Uri("/docs/", UriKind.Relative));
        Assert.Contains("scalar", docs, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<double> MetricAsync(string name)
    {
        var metrics = await service.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] ToPng(byte[] jpeg)
    {
        using var bitmap = ImagePreprocessor.Decode(jpeg);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private sealed class Tolerance(float epsilon) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(float obj) => 0;
    }
}

/// <summary>The stored model run offline, in-process with TorchSharp, as the evaluate command runs it.</summary>
internal sealed class OfflineModel(PlanetNet net, ModelInfo info, ImagePreprocessor preprocessor)
{
    public static async Task<OfflineModel> LoadAsync(ServiceFixture service)
    {
        TorchRuntime.Initialize(seed: 0, DeviceChoice.Cpu, reproducible: true);
        var (net, info) = await ModelFiles.LoadAsync(service.Model.Directory, CancellationToken.None);
        net.eval();
        return new OfflineModel(net, info, new ImagePreprocessor(service.Classifier.Preprocessing));
    }

    public float[] Probabilities(byte[] image)
    {
        using var noGrad = no_grad();
        using var input = tensor(preprocessor.Preprocess(image), [1, info.InChannels, info.ImageHeight, info.ImageWidth]);
        using var logits = net.forward(input);
        using var probabilities = nn.functional.softmax(logits, 1);
        return probabilities.data<float>().ToArray();
    }
}
