using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Planets.Serving.Inference;

namespace Planets.Serving.Api;

/// <summary><c>POST /predict</c> and <c>POST /predict/batch</c>.</summary>
internal static class PredictEndpoints
{
    /// <summary>Maps the prediction endpoints.</summary>
    public static IEndpointRouteBuilder MapPredictions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/predict", PredictAsync)
            .WithName("Predict")
            .WithTags(ApiDocument.PredictionsTag)
            .WithSummary("Classify one image")
            .WithDescription("Send one JPEG or PNG as the body (Content-Type image/jpeg or image/png), or as the first file of a multipart form.")
            .Accepts<IFormFile>(ImageUpload.SingleTypes[0], [.. ImageUpload.SingleTypes[1..]])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();
        app.MapPost("/predict/batch", PredictBatchAsync)
            .WithName("PredictBatch")
            .WithTags(ApiDocument.PredictionsTag)
            .WithSummary("Classify several images")
            .WithDescription("Send a multipart form with one file part per image; the answer lists the predictions in upload order.")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Ok<PredictionResponse>> PredictAsync(
        HttpRequest request, ModelHost host, PredictionMonitor monitor, IOptions<ServingOptions> options, CancellationToken cancellationToken)
    {
        var model = host.Current ?? throw RequestProblemException.NotReady();
        using var arrival = model.Batcher.Arrive();
        var upload = await ImageUpload.ReadOneAsync(request, options.Value.MaxImageBytes, cancellationToken).ConfigureAwait(false);
        var pixels = Preprocess(model, upload);
        var prediction = await model.Batcher.PredictAsync(pixels, arrival, cancellationToken).ConfigureAwait(false);
        monitor.Record(request.HttpContext, model, pixels, prediction);
        return TypedResults.Ok(new PredictionResponse(prediction.Label, prediction.Probabilities));
    }

    private static async Task<Ok<BatchPredictionResponse>> PredictBatchAsync(
        HttpRequest request, ModelHost host, PredictionMonitor monitor, IOptions<ServingOptions> options, CancellationToken cancellationToken)
    {
        var model = host.Current ?? throw RequestProblemException.NotReady();
        var settings = options.Value;
        using var arrival = model.Batcher.Arrive();
        var uploads = await ImageUpload.ReadManyAsync(request, settings.MaxBatchRequestBytes, settings.MaxImagesPerRequest, cancellationToken).ConfigureAwait(false);
        var pixels = uploads.Select(u => Preprocess(model, u)).ToArray();
        // Queued together, so they share forward passes (with each other and with concurrent requests).
        var pending = pixels.Select(p => model.Batcher.PredictAsync(p, null, cancellationToken)).ToArray();
        arrival.Dispose();
        var predictions = await Task.WhenAll(pending).ConfigureAwait(false);
        for (var i = 0; i < predictions.Length; i++)
        {
            monitor.Record(request.HttpContext, model, pixels[i], predictions[i], i);
        }

        return TypedResults.Ok(new BatchPredictionResponse(
            [.. uploads.Zip(predictions, (u, p) => new FilePrediction(u.Name, p.Label, p.Probabilities))]));
    }

    private static float[] Preprocess(LoadedModel model, ImageUpload upload)
    {
        try
        {
            return model.Preprocessor.Preprocess(upload.Content.Span);
        }
        catch (InvalidDataException ex)
        {
            throw new RequestProblemException($"'{upload.Name}' cannot be decoded as an image: {ex.Message}", ex);
        }
    }
}
