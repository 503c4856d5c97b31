using Churn;

// One command per stage; each reads params.yaml, its inputs, and writes its outputs. Bad input: one line, exit 1.
try
{
    switch (args)
    {
        case ["featurize", var output]:
            Featurize.Run(Parameters.Section("featurize"), output);
            return 0;
        case ["train", var features, var model]:
            Train.Run(Parameters.Section("train"), features, model);
            return 0;
        case ["evaluate", var features, var model, var metrics]:
            Evaluate.Run(features, model, metrics);
            return 0;
        default:
            Console.Error.WriteLine("Error: usage: Churn featurize OUTPUT | train FEATURES MODEL | evaluate FEATURES MODEL METRICS");
            return 2;
    }
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine($"Error: {e.Message}");
    return 1;
}
