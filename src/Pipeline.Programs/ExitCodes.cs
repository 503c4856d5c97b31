namespace Pipeline.Programs;

/// <summary>The exit codes of every pipeline program.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The user's mistake: a bad argument, a missing file, malformed params or data.</summary>
    public const int UserError = 1;

    /// <summary>A bug or a broken invariant (printed with its trace).</summary>
    public const int InternalError = 2;

    /// <summary>Cancelled (Ctrl+C or SIGTERM), as a shell reports SIGINT.</summary>
    public const int Cancelled = 130;
}
