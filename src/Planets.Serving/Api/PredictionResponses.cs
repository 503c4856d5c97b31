namespace Planets.Serving.Api;

/// <summary>The answer of <c>POST /predict</c>, as the reference service gives it.</summary>
/// <param name="Prediction">The most probable label.</param>
/// <param name="Probabilities">Each label's softmax probability, in the model's label order.</param>
public sealed record PredictionResponse(string Prediction, IReadOnlyDictionary<string, float> Probabilities);

/// <summary>The answer of <c>POST /predict/batch</c>: one prediction per uploaded file, in upload order.</summary>
/// <param name="Predictions">The predictions.</param>
public sealed record BatchPredictionResponse(IReadOnlyList<FilePrediction> Predictions);

/// <summary>The prediction for one file of a batch.</summary>
/// <param name="File">The uploaded file's name.</param>
/// <param name="Prediction">The most probable label.</param>
/// <param name="Probabilities">Each label's softmax probability.</param>
public sealed record FilePrediction(string File, string Prediction, IReadOnlyDictionary<string, float> Probabilities);
