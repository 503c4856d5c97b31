using System.Collections.Immutable;

namespace Pipeline.Core.Stages;

/// <summary>The program a stage runs and its arguments, started without a shell.</summary>
/// <param name="Executable">The program, found on PATH or given as a path.</param>
/// <param name="Arguments">Its arguments.</param>
public sealed record CommandLine(string Executable, ImmutableArray<string> Arguments)
{
    /// <summary>Creates a command line from its program and arguments.</summary>
    public static CommandLine Of(string executable, params string[] arguments) => new(executable, [.. arguments]);

    /// <summary>The command as a person would type it; this is what the lock file records and compares.</summary>
    public override string ToString() => string.Join(' ', Arguments.Prepend(Executable).Select(Quote));

    /// <inheritdoc />
    public bool Equals(CommandLine? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    private static string Quote(string argument) =>
        argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
