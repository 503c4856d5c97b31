using Pipeline.Core;

namespace Pipeline.Cake;

/// <summary>
/// The compiled pipeline definition that <c>build.cake</c> loads (its stages and targets): Cake loads whatever was
/// last built, so a definition edited since would silently run as it was. Checking costs one stat per source file.
/// </summary>
public static class PipelineDefinition
{
    /// <summary>
    /// Fails when a file under <paramref name="sources"/> (files or folders, relative to <paramref name="root"/>) was
    /// changed after <paramref name="assembly"/> was built.
    /// </summary>
    /// <param name="root">The repository root.</param>
    /// <param name="assembly">The definition's built assembly.</param>
    /// <param name="sources">What it is built from.</param>
    /// <param name="rebuild">The command that rebuilds it, for the message.</param>
    /// <exception cref="PipelineException">A source is newer than the assembly.</exception>
    public static void RequireBuiltFromCurrentSources(string root, string assembly, IEnumerable<string> sources, string rebuild)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var built = File.GetLastWriteTimeUtc(assembly);
        var newer = sources.Select(source => Path.Combine(root, source))
            .SelectMany(path => Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : File.Exists(path) ? [path] : [])
            .Where(file => !IsBuildOutput(root, file))
            .Where(file => File.GetLastWriteTimeUtc(file) > built)
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
        if (newer is not null)
        {
            throw new PipelineException(
                $"{newer} changed after the pipeline's definition {Path.GetRelativePath(root, assembly).Replace('\\', '/')} was built: run {rebuild}, which rebuilds it first");
        }
    }

    // bin/ and obj/ under a project, when a project keeps them there.
    private static bool IsBuildOutput(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");
}
