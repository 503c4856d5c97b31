using System.Collections.Immutable;

namespace Pipeline.Remotes.Configuration;

/// <summary>
/// One named remote as configured: its URL and its settings. Which settings a remote takes, and which of them are
/// secrets that only <c>.pipeline/config.local</c> may hold, is up to the kind of remote its URL names
/// (<see cref="IRemoteKind"/>); the definition itself knows no kind.
/// </summary>
/// <param name="Name">The remote's name, as <c>--remote=NAME</c> selects it.</param>
/// <param name="Url">The URL as written in the configuration: <c>s3://bucket/prefix</c>, a folder path, ….</param>
public sealed record RemoteDefinition(string Name, string Url)
{
    /// <summary>The settings besides <c>url</c> and <c>jobs</c>, by key.</summary>
    public ImmutableSortedDictionary<string, RemoteSetting> Settings { get; init; } =
        ImmutableSortedDictionary.Create<string, RemoteSetting>(StringComparer.Ordinal);

    /// <summary>How many objects move at once, unless <c>--jobs</c> says otherwise; null for the default.</summary>
    public int? Jobs { get; init; }

    /// <summary>The URL's scheme (<c>s3</c>, …), or <c>file</c> for a folder path.</summary>
    public string Scheme => Url.IndexOf("://", StringComparison.Ordinal) is > 0 and var end ? Url[..end].ToLowerInvariant() : "file";

    /// <summary>The text of setting <paramref name="key"/>, or null when it is not set.</summary>
    public string? Setting(string key) => Settings.TryGetValue(key, out var setting) ? setting.Value : null;

    /// <summary>The remote as messages name it: name and URL, and never a secret.</summary>
    public override string ToString() => $"remote '{Name}' ({Url})";
}

/// <summary>One setting of a remote, with the file it came from, so that an error names the right file.</summary>
/// <param name="Value">The text as written.</param>
/// <param name="FileName">The file, relative to the repository root.</param>
/// <param name="IsSecret">Whether it is a secret (a key, a password): never sent to another machine nor shown.</param>
public sealed record RemoteSetting(string Value, string FileName, bool IsSecret = false)
{
    /// <summary>A secret shows as <c>***</c>.</summary>
    public override string ToString() => IsSecret ? "***" : Value;
}
