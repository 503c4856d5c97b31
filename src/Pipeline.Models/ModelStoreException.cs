namespace Pipeline.Models;

/// <summary>A model that is not in the store, a broken manifest or archive: a user's problem, shown as one line.</summary>
public class ModelStoreException : Exception
{
    /// <summary>Creates the error with the line shown to the user.</summary>
    public ModelStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with the line shown to the user and its cause.</summary>
    public ModelStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error with a generic message.</summary>
    public ModelStoreException()
        : base("model store error")
    {
    }
}

/// <summary>No model in the store has the requested tag.</summary>
public sealed class ModelNotFoundException : ModelStoreException
{
    /// <summary>Creates the error for <paramref name="tag"/>.</summary>
    public ModelNotFoundException(string tag)
        : base($"model '{tag}' is not in the store")
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public ModelNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error with a generic message.</summary>
    public ModelNotFoundException()
        : base("model not found")
    {
    }
}
