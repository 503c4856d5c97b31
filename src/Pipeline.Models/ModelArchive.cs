using System.IO.Compression;
using System.Security.Cryptography;

namespace Pipeline.Models;

/// <summary>
/// One model in one zip file: <c>manifest.json</c> first, then the model's files in name order. Entries carry a fixed
/// timestamp and are written in a fixed order, so exporting the same model always gives the same bytes (and the
/// pipeline's hash of the archive only changes when the model does).
/// </summary>
public static class ModelArchive
{
    /// <summary>The usual extension of an archive.</summary>
    public const string Extension = ".zip";

    // The earliest time a zip entry can hold; a wall-clock time would make every export differ.
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes <paramref name="model"/> to <paramref name="archivePath"/> through a temporary file and a rename.</summary>
    public static async Task WriteAsync(StoredModel model, string archivePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var full = Path.GetFullPath(archivePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            await WriteEntriesAsync(model, temp, cancellationToken).ConfigureAwait(false);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads just the manifest of an archive.</summary>
    public static async Task<ModelManifest> ReadManifestAsync(string archivePath, CancellationToken cancellationToken)
    {
        using var zip = Open(archivePath);
        return await ReadManifestAsync(zip, archivePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Unpacks an archive into <paramref name="directory"/> after checking it: every file named by the manifest and
    /// nothing else, each with its recorded size and SHA-256, and a version that matches the content.
    /// </summary>
    /// <exception cref="ModelStoreException">The archive is not a valid model archive.</exception>
    public static async Task<ModelManifest> ExtractAsync(string archivePath, string directory, CancellationToken cancellationToken)
    {
        using var zip = Open(archivePath);
        var manifest = await ReadManifestAsync(zip, archivePath, cancellationToken).ConfigureAwait(false);
        if (ModelVersion.Of(manifest) != manifest.Version)
        {
            throw new ModelStoreException($"{archivePath}: the manifest's version {manifest.Version} does not match its content");
        }

        var expected = manifest.Files.Select(f => f.Name).Append(ModelManifest.FileName).Order(StringComparer.Ordinal);
        if (!zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).SequenceEqual(expected))
        {
            throw new ModelStoreException($"{archivePath}: the archive's files differ from its manifest's");
        }

        Directory.CreateDirectory(directory);
        foreach (var file in manifest.Files)
        {
            ModelStore.CheckFileName(file.Name);
            await ExtractFileAsync(zip.GetEntry(file.Name)!, file, Path.Combine(directory, file.Name), archivePath, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllBytesAsync(Path.Combine(directory, ModelManifest.FileName), StoreJson.Serialize(manifest), cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    private static async Task WriteEntriesAsync(StoredModel model, string path, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        await AddAsync(zip, ModelManifest.FileName, new MemoryStream(StoreJson.Serialize(model.Manifest)), cancellationToken).ConfigureAwait(false);
        foreach (var file in model.Manifest.Files)
        {
            await AddAsync(zip, file.Name, File.OpenRead(model.PathOf(file.Name)), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task AddAsync(ZipArchive zip, string name, Stream content, CancellationToken cancellationToken)
    {
        await using (content)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
            entry.LastWriteTime = EntryTime;
            await using var output = entry.Open();
            await content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ZipArchive Open(string archivePath)
    {
        if (!File.Exists(archivePath))
        {
            throw new ModelStoreException($"{archivePath}: file not found");
        }

        try
        {
            return ZipFile.OpenRead(archivePath);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelStoreException($"{archivePath}: not a model archive ({ex.Message})", ex);
        }
    }

    private static async Task<ModelManifest> ReadManifestAsync(ZipArchive zip, string archivePath, CancellationToken cancellationToken)
    {
        var entry = zip.GetEntry(ModelManifest.FileName)
            ?? throw new ModelStoreException($"{archivePath}: not a model archive (no {ModelManifest.FileName})");
        using var buffer = new MemoryStream();
        await using (var input = entry.Open())
        {
            await input.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        return StoreJson.Deserialize(buffer.ToArray(), $"{archivePath}/{ModelManifest.FileName}");
    }

    private static async Task ExtractFileAsync(ZipArchiveEntry entry, ModelFile file, string target, string archivePath, CancellationToken cancellationToken)
    {
        if (entry.Length != file.Size)
        {
            throw new ModelStoreException($"{archivePath}: {file.Name} has {entry.Length} bytes, the manifest says {file.Size}");
        }

        await using (var input = entry.Open())
        await using (var output = File.Create(target))
        {
            await CopyAtMostAsync(input, output, file.Size, cancellationToken).ConfigureAwait(false);
        }

        if (new FileInfo(target).Length != file.Size)
        {
            throw new ModelStoreException($"{archivePath}: {file.Name} does not have the {file.Size} bytes its manifest says");
        }

        await using var written = File.OpenRead(target);
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellationToken).ConfigureAwait(false));
        if (hash != file.Sha256)
        {
            throw new ModelStoreException($"{archivePath}: {file.Name} is damaged (SHA-256 {hash}, the manifest says {file.Sha256})");
        }
    }

    /// <summary>
    /// Copies at most one byte more than <paramref name="size"/>: the entry's declared length comes from the archive
    /// itself, so a crafted archive could otherwise inflate far beyond it (a zip bomb).
    /// </summary>
    private static async Task CopyAtMostAsync(Stream input, Stream output, long size, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        var remaining = size + 1;
        int read;
        while (remaining > 0 && (read = await input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            remaining -= read;
        }
    }
}
