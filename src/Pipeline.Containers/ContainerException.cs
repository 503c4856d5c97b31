namespace Pipeline.Containers;

/// <summary>
/// The Docker engine or the registry could not do what was asked. The message is one line for the user: it names the
/// engine, image or registry and what went wrong, never a credential.
/// </summary>
public sealed class ContainerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContainerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error behind it.</summary>
    public ContainerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public ContainerException()
    {
    }
}
