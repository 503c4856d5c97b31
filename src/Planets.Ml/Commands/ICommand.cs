namespace Planets.Ml.Commands;

/// <summary>One sub-command of the program.</summary>
internal interface ICommand
{
    /// <summary>Runs the command with the arguments after its name.</summary>
    Task RunAsync(IReadOnlyList<string> args, TextWriter stdout, CancellationToken cancellationToken);
}
