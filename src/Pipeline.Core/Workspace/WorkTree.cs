namespace Pipeline.Core.Workspace;

/// <summary>The repository's working files: where repository-relative paths such as <c>data/prepared</c> resolve.</summary>
/// <param name="Root">The repository root, absolute.</param>
public sealed record WorkTree(string Root)
{
    /// <summary>The absolute path of a repository-relative path.</summary>
    public string Resolve(string relativePath) => Path.GetFullPath(Path.Combine(Root, relativePath));

    /// <summary>Whether a file or a folder exists at the repository-relative path.</summary>
    public bool Exists(string relativePath)
    {
        var full = Resolve(relativePath);
        return File.Exists(full) || Directory.Exists(full);
    }
}
