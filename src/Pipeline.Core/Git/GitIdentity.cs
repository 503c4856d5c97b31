using System.Text.RegularExpressions;

namespace Pipeline.Core.Git;

/// <summary>Who makes a commit, as git writes it: <c>Name &lt;email&gt;</c>.</summary>
/// <param name="Name">The name.</param>
/// <param name="Email">The e-mail address.</param>
public sealed partial record GitIdentity(string Name, string Email)
{
    /// <summary>Reads <c>Name &lt;email&gt;</c>.</summary>
    /// <exception cref="PipelineException">The text has not that form; the message names <paramref name="source"/>.</exception>
    public static GitIdentity Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Pattern().Match(text);
        return match.Success
            ? new GitIdentity(match.Groups["name"].Value.Trim(), match.Groups["email"].Value)
            : throw new PipelineException($"{source}: '{text}' is not a git identity (expected Name <email>)");
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} <{Email}>";

    [GeneratedRegex(@"^(?<name>[^<>\n]*[^<>\s][^<>\n]*)<(?<email>[^<>\s]+)>$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
