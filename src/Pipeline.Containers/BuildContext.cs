using System.Collections.Immutable;
using System.Formats.Tar;
using System.IO.Pipelines;
using System.Text;

namespace Pipeline.Containers;

/// <summary>
/// The files an image is built from, streamed to the engine as a tar. Entries are sorted, owned by root and dated
/// to the Unix epoch, so the same files make the same tar and the engine's layer cache hits whenever content is unchanged.
/// </summary>
public sealed record BuildContext
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    private BuildContext(ImmutableSortedDictionary<string, ContextEntry> entries)
    {
        Entries = entries;
    }

    /// <summary>An empty context.</summary>
    public static BuildContext Empty { get; } = new(ImmutableSortedDictionary.Create<string, ContextEntry>(StringComparer.Ordinal));

    /// <summary>The entries by their path in the context.</summary>
    public ImmutableSortedDictionary<string, ContextEntry> Entries { get; }

    /// <summary>Adds a file written from <paramref name="content"/> (such as the Dockerfile itself).</summary>
    public BuildContext WithText(string path, string content) =>
        new(Entries.SetItem(CheckPath(path), new ContextEntry(null, Encoding.UTF8.GetBytes(content), false)));

    /// <summary>Adds <paramref name="source"/> (a file) at <paramref name="path"/>.</summary>
    public BuildContext WithFile(string path, string source)
    {
        if (!File.Exists(source))
        {
            throw new ContainerException($"{source}: file not found for the image's build context");
        }

        return new(Entries.SetItem(CheckPath(path), new ContextEntry(Path.GetFullPath(source), null, IsExecutable(source))));
    }

    /// <summary>Adds every file under <paramref name="source"/> whose relative path <paramref name="include"/> accepts, below <paramref name="path"/>.</summary>
    public BuildContext WithDirectory(string path, string source, Func<string, bool>? include = null)
    {
        if (!Directory.Exists(source))
        {
            throw new ContainerException($"{source}: folder not found for the image's build context");
        }

        var builder = Entries.ToBuilder();
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace('\\', '/');
            if (include is null || include(relative))
            {
                builder[CheckPath($"{path.TrimEnd('/')}/{relative}")] = new ContextEntry(Path.GetFullPath(file), null, IsExecutable(file));
            }
        }

        return new(builder.ToImmutable());
    }

    /// <summary>Writes the context as a tar to <paramref name="output"/>.</summary>
    public async Task WriteTarAsync(Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var (path, entry) in Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await WriteEntryAsync(writer, path, entry, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A stream that yields the tar while it is being written, so a large context is never held in memory or on
    /// disk. A failure while writing surfaces to the reader.
    /// </summary>
    public Stream OpenTarStream(CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await using var stream = pipe.Writer.AsStream();
                    await WriteTarAsync(stream, cancellationToken).ConfigureAwait(false);
                    await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                }
            },
            CancellationToken.None);
        return pipe.Reader.AsStream();
    }

    private static async Task WriteEntryAsync(TarWriter writer, string path, ContextEntry entry, CancellationToken cancellationToken)
    {
        var tar = new PaxTarEntry(TarEntryType.RegularFile, path)
        {
            ModificationTime = Epoch,
            Mode = entry.Executable ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
            Uid = 0,
            Gid = 0,
        };
        if (entry.Content is not null)
        {
            tar.DataStream = new MemoryStream(entry.Content, writable: false);
            await writer.WriteEntryAsync(tar, cancellationToken).ConfigureAwait(false);
            return;
        }

        var source = File.OpenRead(entry.Source!);
        await using (source.ConfigureAwait(false))
        {
            tar.DataStream = source;
            await writer.WriteEntryAsync(tar, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsExecutable(string file) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0;

    private static string CheckPath(string path)
    {
        var clean = path.Replace('\\', '/').TrimStart('/');
        return clean.Length == 0 || clean.Split('/').Any(part => part is "" or "." or "..")
            ? throw new ArgumentException($"'{path}' is not a relative path inside the build context", nameof(path))
            : clean;
    }

    /// <inheritdoc />
    public bool Equals(BuildContext? other) => other is not null && Entries.SequenceEqual(other.Entries);

    /// <inheritdoc />
    public override int GetHashCode() => Entries.Count;
}

/// <summary>One file of a build context: read from <paramref name="Source"/>, or written from <paramref name="Content"/>.</summary>
/// <param name="Source">The file on disk, or null.</param>
/// <param name="Content">The bytes, or null.</param>
/// <param name="Executable">Whether the file is executable in the image.</param>
public sealed record ContextEntry(string? Source, byte[]? Content, bool Executable);
