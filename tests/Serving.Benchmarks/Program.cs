using System.Diagnostics;
using System.Globalization;
using Planets.Ml.Config;
using Planets.Ml.Training;
using Pipeline.Models;
using Planets.Models;
using Planets.Models.Preprocessing;
using Planets.Serving.Inference;
using static TorchSharp.torch;

// Usage (from the repository root, after building this project in Release):
//   dotnet artifacts/bin/Serving.Benchmarks/release/Serving.Benchmarks.dll inprocess <store> <images-dir> [seconds]
//   dotnet artifacts/bin/Serving.Benchmarks/release/Serving.Benchmarks.dll engines <store> [seconds]
//   dotnet artifacts/bin/Serving.Benchmarks/release/Serving.Benchmarks.dll prelabel <store> <images-dir> [rounds]
//   dotnet artifacts/bin/Serving.Benchmarks/release/Serving.Benchmarks.dll logging <store> <images-dir> [rounds] [seconds] [remote-folder]
//   dotnet artifacts/bin/Serving.Benchmarks/release/Serving.Benchmarks.dll drift <store> <reference.jsonl> <raw-dir> <extra-dir> [seed] [split]
var command = args.ElementAtOrDefault(0);
var store = new ModelStore(args.ElementAtOrDefault(1) ?? ModelStore.DefaultRoot);
var model = await store.GetAsync(ModelTag.Parse("latest", ModelPackaging.DefaultName), CancellationToken.None);
switch (command)
{
    case "inprocess":
        var seconds = Seconds(args.ElementAtOrDefault(3), 10);
        var images = Directory.GetFiles(args[2], "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(64).Select(File.ReadAllBytes).ToArray();
        Console.WriteLine($"model {model.Tag}, {images.Length} images, {Environment.ProcessorCount} cores, {seconds} s per run");
        InProcess.Preprocessing(model, images, TimeSpan.FromSeconds(3));
        await InProcess.LimitAsync(model, images, TimeSpan.FromSeconds(seconds));
        foreach (var concurrency in new[] { 1, 16, 64 })
        {
            await InProcess.RunAsync(model, images, concurrency, TimeSpan.FromSeconds(seconds));
        }

        break;
    case "engines":
        Engines.Run(model, TimeSpan.FromSeconds(Seconds(args.ElementAtOrDefault(2), 3)));
        break;
    case "prelabel":
        await PreLabelling.RunAsync(args[1], args[2], Seconds(args.ElementAtOrDefault(3), 5), ClassifierMetadata.Of(model).Labels);
        break;
    case "logging":
        var logged = Directory.GetFiles(args[2], "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(64).Select(File.ReadAllBytes).ToArray();
        await PredictionLogging.RunAsync(args[1], logged, Seconds(args.ElementAtOrDefault(3), 5), TimeSpan.FromSeconds(Seconds(args.ElementAtOrDefault(4), 10)), args.ElementAtOrDefault(5));
        break;
    case "drift":
        var (seed, split) = (int.Parse(args.ElementAtOrDefault(5) ?? "77", CultureInfo.InvariantCulture), double.Parse(args.ElementAtOrDefault(6) ?? "0.2", CultureInfo.InvariantCulture));
        await DriftMeasurement.RunAsync(args[1], args[2], args[3], args[4], seed, split);
        break;
    default:
        Console.Error.WriteLine("usage: Serving.Benchmarks inprocess <store> <images-dir> [seconds] | engines <store> [seconds] | prelabel <store> <images-dir> [rounds] | logging <store> <images-dir> [rounds] [seconds] [remote-folder] | drift <store> <reference.jsonl> <raw-dir> <extra-dir> [seed] [split]");
        return 1;
}

return 0;

static int Seconds(string? text, int fallback) => text is null ? fallback : int.Parse(text, CultureInfo.InvariantCulture);

/// <summary>
/// The service's work without HTTP: callers decode and preprocess an image and queue it on the same batcher, with the
/// same settings, as requests do. Its throughput is the ceiling the service could reach on this machine.
/// </summary>
internal static class InProcess
{
    public static async Task RunAsync(StoredModel model, byte[][] images, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var elapsed = await WithBatcherAsync(model, async (batcher, preprocessor) =>
        {
            var deadline = Stopwatch.StartNew();
            var callers = Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
            {
                latencies[c] = [];
                for (var i = c; deadline.Elapsed < duration; i += concurrency)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var arrival = batcher.Arrive();
                    var pixels = preprocessor.Preprocess(images[i % images.Length]);
                    await batcher.PredictAsync(pixels, arrival, CancellationToken.None);
                    latencies[c].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            })).ToArray();
            await Task.WhenAll(callers);
            return deadline.Elapsed.TotalSeconds;
        });
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"in-process concurrency {concurrency,2}: {all.Length / elapsed,8:F0} predictions/s  p50 {Percentile(all, 0.50),6:F2} ms  p99 {Percentile(all, 0.99),6:F2} ms"));
    }

    /// <summary>
    /// The ceiling: one worker per core, each decoding and preprocessing 32 images and then queueing them together on
    /// the batcher, so no time goes to scheduling many callers; only decode, preprocess and forward passes remain.
    /// </summary>
    public static async Task LimitAsync(StoredModel model, byte[][] images, TimeSpan duration)
    {
        var (counts, elapsed) = await WithBatcherAsync(model, async (batcher, preprocessor) =>
        {
            var watch = Stopwatch.StartNew();
            var counts = await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount).Select(w => Task.Run(async () =>
            {
                var done = 0;
                while (watch.Elapsed < duration)
                {
                    var pending = new Task<Prediction>[32];
                    for (var i = 0; i < pending.Length; i++)
                    {
                        pending[i] = batcher.PredictAsync(preprocessor.Preprocess(images[(done + i + w) % images.Length]), null, CancellationToken.None);
                    }

                    await Task.WhenAll(pending);
                    done += pending.Length;
                }

                return done;
            })));
            return (counts, watch.Elapsed.TotalSeconds);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"in-process limit ({Environment.ProcessorCount} workers, batches of 32): {counts.Sum() / elapsed:F0} predictions/s"));
    }

    // The service's batching as it runs in production, around one measurement: set up, run the work, stop the loop.
    private static async Task<T> WithBatcherAsync<T>(StoredModel model, Func<PredictionBatcher, ImagePreprocessor, Task<T>> work)
    {
        var options = new ServingOptions();
        var metadata = ClassifierMetadata.Of(model);
        using var classifier = OnnxClassifier.Load(model, metadata, options.InferenceThreads);
        var batcher = new PredictionBatcher(classifier, metadata.Labels, options);
        var preprocessor = new ImagePreprocessor(metadata.Preprocessing);
        using var stop = new CancellationTokenSource();
        var loop = batcher.RunAsync(stop.Token);
        var result = await work(batcher, preprocessor);
        await stop.CancelAsync();
        await loop;
        return result;
    }

    /// <summary>Decode and preprocess alone, one thread: the per-image cost every request pays before the model.</summary>
    public static void Preprocessing(StoredModel model, byte[][] images, TimeSpan duration)
    {
        var preprocessor = new ImagePreprocessor(ClassifierMetadata.Of(model).Preprocessing);
        var watch = Stopwatch.StartNew();
        var count = 0;
        while (watch.Elapsed < duration)
        {
            preprocessor.Preprocess(images[count++ % images.Length]);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decode + preprocess, one thread: {count / watch.Elapsed.TotalSeconds:F0} images/s ({1000 * watch.Elapsed.TotalSeconds / count:F3} ms/image)"));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}

/// <summary>Forward passes only, ONNX Runtime against TorchSharp, on the same weights and inputs.</summary>
internal static class Engines
{
    public static void Run(StoredModel model, TimeSpan duration)
    {
        TorchRuntime.Initialize(seed: 0, DeviceChoice.Cpu, reproducible: true);
        var (net, info) = ModelFiles.LoadAsync(model.Directory, CancellationToken.None).GetAwaiter().GetResult();
        net.eval();
        using var classifier = OnnxClassifier.Load(model, ClassifierMetadata.Of(model), threads: 1);
        var random = new Random(1);
        foreach (var batch in new[] { 1, 8, 32 })
        {
            var input = Enumerable.Range(0, batch * classifier.ImageLength).Select(_ => (float)random.NextDouble()).ToArray();
            var onnx = classifier.Predict(input, batch);
            float[] torchOutput;
            using (no_grad())
            using (var x = tensor(input, [batch, info.InChannels, info.ImageHeight, info.ImageWidth]))
            using (var logits = net.forward(x))
            using (var p = nn.functional.softmax(logits, 1))
            {
                torchOutput = p.data<float>().ToArray();
            }

            var difference = onnx.Zip(torchOutput, (a, b) => Math.Abs(a - b)).Max();
            var ortRate = Rate(() => classifier.Predict(input, batch), duration) * batch;
            var torchRate = Rate(() => TorchForward(net, input, batch, info), duration) * batch;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batch {batch,2}: onnxruntime {ortRate,8:F0} images/s ({1000.0 * batch / ortRate:F3} ms/pass)  torchsharp {torchRate,8:F0} images/s ({1000.0 * batch / torchRate:F3} ms/pass)  max |p_ort - p_torch| {difference:E1}"));
        }

        net.Dispose();
    }

    private static void TorchForward(PlanetNet net, float[] input, int batch, ModelInfo info)
    {
        using var noGrad = no_grad();
        using var x = tensor(input, [batch, info.InChannels, info.ImageHeight, info.ImageWidth]);
        using var logits = net.forward(x);
        using var p = nn.functional.softmax(logits, 1);
        _ = p.data<float>().ToArray();
    }

    private static double Rate(Action action, TimeSpan duration)
    {
        for (var i = 0; i < 20; i++)
        {
            action();
        }

        var watch = Stopwatch.StartNew();
        var count = 0;
        while (watch.Elapsed < duration)
        {
            action();
            count++;
        }

        return count / watch.Elapsed.TotalSeconds;
    }
}
