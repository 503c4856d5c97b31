using System.CommandLine;
using Pipeline.Programs;
using Pipeline.Core;
using Pipeline.Models;
using Pipeline.Tool;

// The commands that need no Cake: starting Cake and its script takes about a second before a target's own work, which
// a table over a thousand experiments or a look into the model store should not wait for. They use the same engine
// types as the targets, and print data to stdout (errors to stderr as one line, exit code 1).
var root = new RootCommand("Reads a pipeline's records and manages its model store without starting Cake; the targets (dotnet cake --target=...) run stages.")
{
    ExperimentCommands.Create(),
    ModelCommands.Create(),
};
var console = ProgramConsole.Standard with { IsUserError = e => e is PipelineException or ModelStoreException or FormatException };
return await CommandLineProgram.InvokeAsync(root, args, console, CancellationToken.None);
