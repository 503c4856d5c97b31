using System.Globalization;
using System.Text.Json;

// The pipeline's program: each stage runs one of its commands in a process of its own. Replace the model with yours;
// keep the contract: read params.yaml, read the dependencies, write the outputs whole, exit non-zero on bad input.
try
{
    return args switch
    {
        ["prepare", var output] => Commands.Prepare(Parameters.Read("prepare"), output),
        ["train", var prepared, var model] => Commands.Train(Parameters.Read("train"), prepared, model),
        ["evaluate", var prepared, var model, var metrics] => Commands.Evaluate(prepared, model, metrics),
        _ => Commands.Usage(),
    };
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine($"Error: {e.Message}");
    return 1;
}

/// <summary>The commands: a synthetic two-class dataset, a logistic regression trained on it, its accuracy.</summary>
internal static class Commands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Prepare(Parameters parameters, string output)
    {
        var (seed, rows, split) = (parameters.Integer("seed"), parameters.Integer("rows"), parameters.Number("split"));
        var random = new Random(seed);
        var samples = Enumerable.Range(0, rows).Select(i =>
        {
            var label = i % 2;
            return (X: Gaussian(random) + (label == 1 ? 1.5 : -1.5), Y: Gaussian(random) + (label == 1 ? 1.0 : -1.0), Label: label);
        }).ToList();
        var test = (int)(rows * split);
        Directory.CreateDirectory(output);
        File.WriteAllLines(Path.Combine(output, "test.csv"), samples.Take(test).Select(Line));
        File.WriteAllLines(Path.Combine(output, "train.csv"), samples.Skip(test).Select(Line));
        Console.WriteLine($"prepare: {rows - test} training and {test} test rows in {output}");
        return 0;
    }

    public static int Train(Parameters parameters, string prepared, string model)
    {
        var (lr, epochs) = (parameters.Number("lr"), parameters.Integer("epochs"));
        var rows = Read(Path.Combine(prepared, "train.csv"));
        var weights = new double[3];
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var gradient = new double[3];
            foreach (var (x, y, label) in rows)
            {
                var error = Predict(weights, x, y) - label;
                gradient[0] += error * x;
                gradient[1] += error * y;
                gradient[2] += error;
            }

            for (var i = 0; i < 3; i++)
            {
                weights[i] -= lr * gradient[i] / rows.Count;
            }
        }

        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "weights.json"), JsonSerializer.Serialize(weights, Indented));
        Console.WriteLine($"train: {epochs} epochs on {rows.Count} rows -> {model}");
        return 0;
    }

    public static int Evaluate(string prepared, string model, string metricsFile)
    {
        var weights = JsonSerializer.Deserialize<double[]>(File.ReadAllText(Path.Combine(model, "weights.json")))
            ?? throw new InvalidDataException($"{model}/weights.json: no weights");
        var rows = Read(Path.Combine(prepared, "test.csv"));
        var accuracy = rows.Count(r => Predict(weights, r.X, r.Y) >= 0.5 == (r.Label == 1)) / (double)rows.Count;
        var logLoss = -rows.Average(r => Math.Log(Math.Clamp(r.Label == 1 ? Predict(weights, r.X, r.Y) : 1 - Predict(weights, r.X, r.Y), 1e-12, 1)));
        var metrics = new Dictionary<string, double> { ["accuracy"] = Math.Round(accuracy, 4), ["log_loss"] = Math.Round(logLoss, 4) };
        File.WriteAllText(metricsFile, JsonSerializer.Serialize(metrics, Indented) + "\n");
        Console.WriteLine($"evaluate: accuracy {metrics["accuracy"]} log_loss {metrics["log_loss"]} -> {metricsFile}");
        return 0;
    }

    public static int Usage()
    {
        Console.Error.WriteLine("Error: usage: Model prepare OUTPUT | train PREPARED MODEL | evaluate PREPARED MODEL METRICS");
        return 2;
    }

    private static double Predict(double[] w, double x, double y) => 1 / (1 + Math.Exp(-(w[0] * x + w[1] * y + w[2])));

    // Box-Muller: the same numbers from the same seed on every machine.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static string Line((double X, double Y, int Label) row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.X:R},{row.Y:R},{row.Label}");

    private static List<(double X, double Y, int Label)> Read(string file) =>
        [.. File.ReadLines(file).Select((line, index) => line.Split(',') is [var x, var y, var label]
            ? (double.Parse(x, CultureInfo.InvariantCulture), double.Parse(y, CultureInfo.InvariantCulture), int.Parse(label, CultureInfo.InvariantCulture))
            : throw new InvalidDataException($"{file}:{index + 1}: expected x,y,label"))];
}
