namespace Pipeline.Programs;

/// <summary>Where a program writes its data and its error lines, and which exceptions are its users' mistakes.</summary>
/// <param name="Output">Standard output: the program's data and help.</param>
/// <param name="Error">Standard error: error lines.</param>
public sealed record ProgramConsole(TextWriter Output, TextWriter Error)
{
    /// <summary>The process's standard output and error.</summary>
    public static ProgramConsole Standard => new(System.Console.Out, System.Console.Error);

    /// <summary>
    /// Whether an exception is a mistake in the user's input (a bad file, malformed params), shown as its message on
    /// one line with exit code 1; by default none is, and every exception is reported as a bug.
    /// </summary>
    public Func<Exception, bool> IsUserError { get; init; } = _ => false;
}
