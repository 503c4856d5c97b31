namespace Pipeline.Monitoring;

/// <summary>A prediction log or reference file that cannot be read; the message names the file and line.</summary>
public sealed class PredictionLogException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PredictionLogException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public PredictionLogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public PredictionLogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
