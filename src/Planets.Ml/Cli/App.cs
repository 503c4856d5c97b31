using System.CommandLine;
using Pipeline.Programs;
using Pipeline.Models;
using Planets.Ml.Commands;

namespace Planets.Ml.Cli;

/// <summary>The program's command line: its commands, run the way every pipeline program runs (<see cref="CommandLineProgram"/>).</summary>
internal static class App
{
    /// <summary>Runs the command line and returns the process exit code (<see cref="ExitCodes"/>).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var root = new RootCommand("The ML program the pipeline's stages run: the planets and moons classifier's data, training, evaluation and monitoring reference")
        {
            GenerateCommand.Create(),
            PrepareCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            ReferenceCommand.Create(),
        };
        var console = new ProgramConsole(stdout, stderr) { IsUserError = e => e is UserErrorException or ModelStoreException };
        return CommandLineProgram.InvokeAsync(root, args, console, cancellationToken);
    }
}
