using System.Globalization;
using System.Text;
using Pipeline.Core.LockFiles;
using Pipeline.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Core.Tracking;

/// <summary>
/// The small file beside a tracked input (<c>data/raw.ptr</c> for <c>data/raw</c>) that git versions in place of the
/// data: the same fields as a lock file path (path, hash, md5, size, nfiles), the path relative to the pointer's folder.
/// </summary>
/// <param name="Tracked">The tracked path, repository-relative, and its content.</param>
public sealed record PointerFile(PathState Tracked)
{
    /// <summary>The extension of pointer files.</summary>
    public const string Extension = ".ptr";

    /// <summary>The pointer's own path, repository-relative.</summary>
    public string PointerPath => PointerPathOf(Tracked.Path);

    /// <summary>The pointer path for a tracked repository-relative path.</summary>
    public static string PointerPathOf(string trackedPath) => trackedPath + Extension;

    /// <summary>Writes the pointer into the repository at <paramref name="root"/>, atomically.</summary>
    public Task WriteAsync(string root, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllBytesAsync(Path.Combine(root, PointerPath), Encoding.UTF8.GetBytes(Format()), cancellationToken);

    /// <summary>The pointer's YAML text.</summary>
    public string Format()
    {
        var local = Tracked with { Path = Path.GetFileName(Tracked.Path) };
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        writer.WriteLine($"# Tracks {Tracked.Path} in the pipeline's cache; commit this file instead of the data. Written by the Add target.");
        new YamlStream(new YamlDocument(LockFileStore.FormatPath(local))).Save(writer, assignAnchors: false);
        return writer.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>Reads a pointer from its text.</summary>
    /// <param name="pointerPath">The pointer's repository-relative path, for the tracked path and messages.</param>
    /// <param name="text">The YAML text.</param>
    /// <exception cref="PipelineException">The text is not a pointer file.</exception>
    public static PointerFile Parse(string pointerPath, string text)
    {
        ArgumentNullException.ThrowIfNull(pointerPath);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            var local = LockFileStore.ParsePath((YamlMappingNode)stream.Documents[0].RootNode);
            var folder = Path.GetDirectoryName(pointerPath)?.Replace('\\', '/');
            var tracked = string.IsNullOrEmpty(folder) ? local.Path : $"{folder}/{local.Path}";
            return new PointerFile(local with { Path = tracked });
        }
        catch (Exception e) when (e is YamlException or InvalidCastException or KeyNotFoundException or FormatException or ArgumentException)
        {
            throw new PipelineException($"{pointerPath}: not a valid pointer file ({e.Message}); expected path, hash (the algorithm), its digest (such as md5), size and nfiles", e);
        }
    }

    /// <summary>Reads the pointer at <paramref name="pointerPath"/> in the repository at <paramref name="root"/>.</summary>
    /// <exception cref="PipelineException">The file is not a pointer file.</exception>
    public static async Task<PointerFile> ReadAsync(string root, string pointerPath, CancellationToken cancellationToken) =>
        Parse(pointerPath, await File.ReadAllTextAsync(Path.Combine(root, pointerPath), cancellationToken));
}
