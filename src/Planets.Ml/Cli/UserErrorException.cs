namespace Planets.Ml.Cli;

/// <summary>
/// A mistake in the user's input (arguments, params file, data). Its message is printed as the one
/// error line and the process exits with code 1, without a stack trace.
/// </summary>
internal sealed class UserErrorException : Exception
{
    /// <summary>Creates the error with the line shown to the user.</summary>
    public UserErrorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with the line shown to the user and its cause.</summary>
    public UserErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error with a generic message.</summary>
    public UserErrorException()
        : base("invalid input")
    {
    }
}
