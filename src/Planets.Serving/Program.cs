using Planets.Serving.Cli;

return await ServingCommandLine.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
