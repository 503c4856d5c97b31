using System.IO.Enumeration;
using Pipeline.Storage.Native;
using Pipeline.Storage.State;

namespace Pipeline.Storage.Hashing;

/// <summary>
/// Hashes files and folders, asking the state database first so that only new or changed files are read,
/// and reading those on all cores at once.
/// </summary>
/// <param name="state">The memo of earlier hashes.</param>
/// <param name="algorithm">The algorithm new hashes are made with unless a call names another; md5 by default.</param>
/// <param name="parallelism">How many files are read at once; by default one per core.</param>
public sealed class ContentHasher(StateDatabase state, ContentHashAlgorithm? algorithm = null, int parallelism = 0)
{
    private readonly int parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;

    /// <summary>The state database this hasher reads and feeds.</summary>
    public StateDatabase State { get; } = state;

    /// <summary>The algorithm new hashes are made with: the repository's.</summary>
    public ContentHashAlgorithm Algorithm { get; } = algorithm ?? ContentHashAlgorithm.Md5;

    /// <summary>Told after each file of a folder that had to be read, so long hashing can show how far it got.</summary>
    public IProgress<HashingProgress>? Progress { get; init; }

    /// <summary>Persists what was learnt about file hashes (see <see cref="StateDatabase.SaveAsync"/>).</summary>
    public Task SaveStateAsync(CancellationToken cancellationToken) => State.SaveAsync(cancellationToken);

    /// <summary>Hashes a file or a folder with the repository's algorithm.</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public Task<HashedContent> HashAsync(string path, CancellationToken cancellationToken) =>
        HashAsync(path, Algorithm, cancellationToken);

    /// <summary>
    /// Hashes a file or a folder with <paramref name="algorithm"/>: the algorithm of a recorded hash it is compared with.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public async Task<HashedContent> HashAsync(string path, ContentHashAlgorithm algorithm, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            var manifest = await HashDirectoryAsync(path, algorithm, cancellationToken);
            return new HashedContent(manifest.ToContentInfo(), manifest);
        }

        var stat = FileStat.Of(path);
        var hash = await Task.Run(() => HashFile(path, stat, algorithm, cancellationToken), cancellationToken);
        return new HashedContent(new ContentInfo(hash, stat.Size, null), null);
    }

    /// <summary>The hash of one file by <paramref name="algorithm"/>, from the state database when its stat is unchanged.</summary>
    public ContentHash HashFile(string path, FileStat stat, ContentHashAlgorithm algorithm, CancellationToken cancellationToken) =>
        HashFullPath(Path.GetFullPath(path), stat, algorithm, cancellationToken);

    /// <summary>Builds the manifest of a folder with the repository's algorithm, hashing its files in parallel.</summary>
    public Task<DirectoryManifest> HashDirectoryAsync(string path, CancellationToken cancellationToken) =>
        HashDirectoryAsync(path, Algorithm, cancellationToken);

    /// <summary>Builds the manifest of a folder with <paramref name="algorithm"/>, hashing its files in parallel.</summary>
    public async Task<DirectoryManifest> HashDirectoryAsync(string path, ContentHashAlgorithm algorithm, CancellationToken cancellationToken)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var files = ListFiles(root);
        var entries = new ManifestEntry[files.Count];
        var tally = new ReadTally(path, files.Count, Progress);
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Task.Run(
            () => Parallel.For(0, files.Count, options, i => entries[i] = HashEntry(root, files[i], algorithm, tally, cancellationToken)),
            cancellationToken);
        return new DirectoryManifest(entries, algorithm);
    }

    /// <summary>The files below <paramref name="root"/> as <c>/</c>-separated relative paths, sorted ordinally.</summary>
    public static IReadOnlyList<string> ListFiles(string root)
    {
        root = Path.TrimEndingDirectorySeparator(root);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        var files = new FileSystemEnumerable<string>(root, (ref FileSystemEntry entry) => RelativePath(root, ref entry), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
        }.ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static string RelativePath(string root, ref FileSystemEntry entry)
    {
        var folder = entry.Directory[root.Length..].TrimStart(Path.DirectorySeparatorChar);
        var relative = folder.IsEmpty ? entry.FileName.ToString() : string.Concat(folder, "/", entry.FileName);
        return Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private ManifestEntry HashEntry(string root, string relativePath, ContentHashAlgorithm algorithm, ReadTally tally, CancellationToken cancellationToken)
    {
        var fullPath = string.Concat(root, "/", relativePath);
        var stat = FileStat.Of(fullPath);
        if (State.Lookup(fullPath, stat, algorithm) is not { } hash)
        {
            hash = Read(fullPath, stat, algorithm, cancellationToken);
            tally.Count(stat.Size);
        }

        return new ManifestEntry(relativePath, hash, stat.Size);
    }

    // Paths in a folder walk are already absolute and normal; normalising 100,000 of them again costs more than the lookups.
    private ContentHash HashFullPath(string fullPath, FileStat stat, ContentHashAlgorithm algorithm, CancellationToken cancellationToken)
    {
        return State.Lookup(fullPath, stat, algorithm) ?? Read(fullPath, stat, algorithm, cancellationToken);
    }

    private ContentHash Read(string fullPath, FileStat stat, ContentHashAlgorithm algorithm, CancellationToken cancellationToken)
    {
        var hash = FileDigest.Of(fullPath, algorithm, cancellationToken);
        State.Record(fullPath, stat, hash);
        return hash;
    }

    private sealed class ReadTally(string folder, int files, IProgress<HashingProgress>? progress)
    {
        private int filesRead;
        private long bytesRead;

        public void Count(long bytes)
        {
            var read = Interlocked.Increment(ref filesRead);
            var total = Interlocked.Add(ref bytesRead, bytes);
            progress?.Report(new HashingProgress(folder, read, files, total));
        }
    }
}
