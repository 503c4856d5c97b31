using Churn;
using Pipeline.Models;

// One command per stage; each reads params.yaml, its inputs, and writes its outputs. Bad input: one line, exit 1.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
try
{
    switch (args)
    {
        case ["featurize", var output]:
            Featurize.Run(Parameters.Section("featurize"), output);
            return 0;
        case ["train", var features, var model]:
            await Train.RunAsync(Parameters.Section("train"), features, model, cancellation.Token);
            return 0;
        case ["evaluate", var features, var model, var metrics]:
            Evaluate.Run(features, model, metrics);
            return 0;
        default:
            Console.Error.WriteLine("Error: usage: Churn featurize OUTPUT | train FEATURES MODEL | evaluate FEATURES MODEL METRICS");
            return 2;
    }
}
catch (Exception e) when (e is InvalidDataException or ModelStoreException)
{
    Console.Error.WriteLine($"Error: {e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Error: cancelled");
    return 130;
}
