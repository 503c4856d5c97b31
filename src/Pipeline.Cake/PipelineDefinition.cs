using System.Security.Cryptography;
using System.Text;
using Pipeline.Core;

namespace Pipeline.Cake;

/// <summary>
/// The compiled pipeline definition that <c>build.cake</c> loads (its stages and targets): Cake loads whatever was
/// last built, so a definition edited since would silently run as it was.
/// </summary>
/// <remarks>
/// A bootstrapper that builds the definition can leave a stamp beside it, <c>ASSEMBLY.sources</c>: the assembly's
/// SHA-256, then each source file's, as <c>sha256sum</c> prints them (<c>HASH  -</c>, then <c>HASH  PATH</c> sorted
/// by path), with the sources hashed before the build. When the stamp matches, the definition was built from sources
/// of this content, whatever their file times: a fresh clone or an experiment's work tree runs it without rebuilding.
/// Otherwise file times decide, as MSBuild's do.
/// </remarks>
public static class PipelineDefinition
{
    /// <summary>
    /// Fails when a file under <paramref name="sources"/> (files or folders, relative to <paramref name="root"/>) was
    /// changed after <paramref name="assembly"/> was built, unless the stamp beside the assembly says it was built from
    /// sources of this very content.
    /// </summary>
    /// <param name="root">The repository root.</param>
    /// <param name="assembly">The definition's built assembly.</param>
    /// <param name="sources">What it is built from.</param>
    /// <param name="rebuild">The command that rebuilds it, for the message.</param>
    /// <exception cref="PipelineException">A source is newer than the assembly.</exception>
    public static void RequireBuiltFromCurrentSources(string root, string assembly, IEnumerable<string> sources, string rebuild)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var files = SourceFiles(root, sources);
        if (StampMatches(root, assembly, files))
        {
            return;
        }

        var built = File.GetLastWriteTimeUtc(assembly);
        var newer = files
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

    private static List<string> SourceFiles(string root, IEnumerable<string> sources) =>
        [.. sources.Select(source => Path.Combine(root, source))
            .SelectMany(path => Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(file => !IsLeftOut(root, file))
                : File.Exists(path) ? [path] : [])];

    private static bool StampMatches(string root, string assembly, List<string> files)
    {
        var stampFile = assembly + ".sources";
        if (!File.Exists(stampFile) || !File.Exists(assembly))
        {
            return false;
        }

        var stamp = new StringBuilder().Append(Sha256(assembly)).Append("  -\n");
        foreach (var file in files.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal))
        {
            stamp.Append(Sha256(Path.Combine(root, file))).Append("  ").Append(file).Append('\n');
        }

        return string.Equals(stamp.ToString(), File.ReadAllText(stampFile), StringComparison.Ordinal);
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    // In a source folder: bin/ and obj/, when a project keeps them there, and npm's packages (a source lists the one
    // file npm records their installation in).
    private static bool IsLeftOut(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules");
}
