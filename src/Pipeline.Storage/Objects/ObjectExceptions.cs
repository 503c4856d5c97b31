using Pipeline.Storage.Hashing;

namespace Pipeline.Storage.Objects;

/// <summary>An object is needed but the object database does not hold it.</summary>
/// <param name="hash">The object.</param>
public sealed class MissingObjectException(ContentHash hash)
    : Exception($"cache object {hash} is missing")
{
    /// <summary>The hash of the missing object.</summary>
    public ContentHash Hash { get; } = hash;
}

/// <summary>An object's bytes do not hash to its name; it is never checked out, copied or stored.</summary>
/// <param name="hash">The object.</param>
/// <param name="reason">What is wrong, such as <c>content hashes to 0f3a…</c>.</param>
public sealed class CorruptObjectException(ContentHash hash, string reason)
    : Exception($"cache object {hash} is corrupt: {reason}")
{
    /// <summary>The hash the object is stored under.</summary>
    public ContentHash Hash { get; } = hash;

    /// <summary>What is wrong with it, as a clause.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// An object database (a remote, usually) could not do what was asked. Its message is one line for the user, naming
/// the database and never a secret; <see cref="IsTransient"/> says whether trying again may help (server errors,
/// throttling, timeouts, dropped connections, a network share that dropped out).
/// </summary>
public sealed class ObjectDatabaseException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line naming the database and what went wrong.</param>
    /// <param name="isTransient">Whether a retry may succeed.</param>
    /// <param name="innerException">The error behind it.</param>
    public ObjectDatabaseException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>Whether a retry may succeed.</summary>
    public bool IsTransient { get; }
}
