namespace Pipeline.Core;

/// <summary>
/// A problem the user can fix (bad input, a missing file, a failed command), reported as one line
/// that names the file or stage and what was expected; anything else is a bug.
/// </summary>
public class PipelineException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public PipelineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its one-line message and the error behind it.</summary>
    public PipelineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
