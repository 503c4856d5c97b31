namespace Pipeline.Containers;

/// <summary>
/// An image name as the docker CLI spells it: <c>[registry/]repository[:tag][@digest]</c>. The registry is the first
/// path part when it holds a '.' or ':' or is <c>localhost</c>.
/// </summary>
/// <param name="Registry">The registry host (and port), or null for the engine's default.</param>
/// <param name="Repository">The repository path, e.g. <c>team/my-service</c>.</param>
/// <param name="Tag">The tag, or null.</param>
/// <param name="Digest">The content digest (<c>sha256:…</c>), or null.</param>
public sealed record ImageReference(string? Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">Not an image name.</exception>
    public static ImageReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.Trim();
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }

        string? registry = null;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && (rest[..slash].Contains('.', StringComparison.Ordinal) || rest[..slash].Contains(':', StringComparison.Ordinal) || rest[..slash] == "localhost"))
        {
            registry = rest[..slash];
            rest = rest[(slash + 1)..];
        }

        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }

        var reference = new ImageReference(registry, rest, tag, digest);
        return reference.IsValid() ? reference : throw new FormatException($"'{text}' is not an image name ([registry/]repository[:tag][@sha256:digest], lower case)");
    }

    /// <summary>The name without tag or digest, e.g. <c>localhost:5000/my-service</c>.</summary>
    public string Name => Registry is null ? Repository : $"{Registry}/{Repository}";

    /// <summary>The same image under <paramref name="tag"/>, with no digest.</summary>
    public ImageReference WithTag(string tag) => this with { Tag = tag, Digest = null };

    /// <summary>The same repository pinned to <paramref name="digest"/>, with no tag.</summary>
    public ImageReference WithDigest(string digest) => this with { Tag = null, Digest = digest };

    /// <inheritdoc />
    public override string ToString() => Name + (Tag is null ? string.Empty : $":{Tag}") + (Digest is null ? string.Empty : $"@{Digest}");

    private bool IsValid() =>
        Repository.Length > 0
        && Repository.Split('/').All(part => part.Length > 0 && part.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-'))
        && (Tag is null || (Tag.Length is > 0 and <= 128 && Tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        && (Digest is null || (Digest.StartsWith("sha256:", StringComparison.Ordinal) && Digest.Length == 71 && Digest[7..].All(char.IsAsciiHexDigitLower)));
}
