using Pipeline.Core;

namespace Pipeline.Remotes;

/// <summary>
/// A remote could not do what was asked. Its message is one line for the user (naming the remote, never a secret);
/// <see cref="IsTransient"/> says whether trying again may help (server errors, throttling, timeouts, dropped connections).
/// </summary>
public sealed class RemoteException : PipelineException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line naming the remote and what went wrong.</param>
    /// <param name="isTransient">Whether a retry may succeed.</param>
    /// <param name="innerException">The error behind it.</param>
    public RemoteException(string message, bool isTransient, Exception innerException)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>Whether a retry may succeed.</summary>
    public bool IsTransient { get; }
}
