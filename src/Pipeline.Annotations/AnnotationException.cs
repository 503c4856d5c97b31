namespace Pipeline.Annotations;

/// <summary>An export or an image that cannot be imported; the message is one line naming the file and what was expected.</summary>
public sealed class AnnotationException : Exception
{
    /// <summary>Creates the error.</summary>
    public AnnotationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public AnnotationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an error without a message.</summary>
    public AnnotationException()
    {
    }
}
