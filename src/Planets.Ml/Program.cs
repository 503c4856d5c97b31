using Planets.Ml.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Keep the process alive so the running command can stop at a safe point and clean up.
    e.Cancel = true;
    cancellation.Cancel();
};
return await App.RunAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
