using System.Security.Cryptography;

namespace Pipeline.Models;

/// <summary>
/// A local model store, as BentoML's: models by <c>name:version</c> in <c>&lt;root&gt;/&lt;name&gt;/&lt;version&gt;/</c>, each
/// folder holding <c>manifest.json</c> and the model's files, plus a <c>latest</c> pointer per name.
/// </summary>
/// <remarks>
/// A version appears whole or not at all: it is assembled in a hidden staging folder and renamed into place, and
/// the <c>latest</c> pointer is replaced by a rename too. Versions are content hashes (creation time and git revision
/// aside), so saving a model that is already stored keeps its files and takes the new save's provenance: what a save
/// returns, and what is exported after it, never depends on what the store held before.
/// </remarks>
public sealed class ModelStore
{
    /// <summary>The store's folder when none is configured, relative to the working directory.</summary>
    public const string DefaultRoot = ".pipeline/models";

    /// <summary>The environment variable that overrides <see cref="DefaultRoot"/>.</summary>
    public const string RootVariable = "PIPELINE_MODEL_STORE";

    private const string LatestFile = "latest";

    /// <summary>Opens (without creating) the store in <paramref name="root"/>.</summary>
    public ModelStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The store's folder.</summary>
    public string Root { get; }

    /// <summary>The store at <paramref name="root"/>, else at <c>$PIPELINE_MODEL_STORE</c>, else at <see cref="DefaultRoot"/>.</summary>
    public static ModelStore Open(string? root = null) => Open(root, Environment.CurrentDirectory);

    /// <summary>
    /// The store at <paramref name="root"/>, else at <c>$PIPELINE_MODEL_STORE</c>, else at <see cref="DefaultRoot"/> in
    /// <paramref name="repository"/> (a command run from a folder inside it still finds its store).
    /// </summary>
    public static ModelStore Open(string? root, string repository)
    {
        var configured = string.IsNullOrWhiteSpace(root) ? Environment.GetEnvironmentVariable(RootVariable) : root;
        return new ModelStore(string.IsNullOrWhiteSpace(configured) ? Path.Combine(repository, DefaultRoot) : configured);
    }

    /// <summary>Copies the draft's files into the store, gives it its content version and makes it the name's latest.</summary>
    public async Task<StoredModel> SaveAsync(ModelDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        CheckName(draft.Name);
        var staging = NewStaging(draft.Name);
        try
        {
            var files = new List<ModelFile>();
            foreach (var (name, source) in draft.Files)
            {
                CheckFileName(name);
                files.Add(await CopyAsync(source, Path.Combine(staging, name), cancellationToken).ConfigureAwait(false));
            }

            var manifest = ToManifest(draft, files);
            await File.WriteAllBytesAsync(Path.Combine(staging, ModelManifest.FileName), StoreJson.Serialize(manifest), cancellationToken).ConfigureAwait(false);
            return await CommitAsync(staging, manifest, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            DeleteIfExists(staging);
        }
    }

    /// <summary>The model with <paramref name="tag"/>; <c>latest</c> resolves to the name's newest version.</summary>
    /// <exception cref="ModelNotFoundException">No such model.</exception>
    public async Task<StoredModel> GetAsync(ModelTag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var version = tag.IsLatest ? await LatestVersionAsync(tag.Name, cancellationToken).ConfigureAwait(false) : tag.Version;
        var directory = version is null ? null : VersionDirectory(tag.Name, version);
        if (directory is null || !File.Exists(Path.Combine(directory, ModelManifest.FileName)))
        {
            throw new ModelNotFoundException(tag.ToString());
        }

        return await ReadAsync(directory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every stored model (of <paramref name="name"/> only, when given), newest first.</summary>
    public async Task<IReadOnlyList<StoredModel>> ListAsync(string? name, CancellationToken cancellationToken)
    {
        if (name is not null)
        {
            CheckName(name);
        }

        var names = name is not null ? [name] : VisibleDirectories(Root).Select(Path.GetFileName).OfType<string>();
        var models = new List<StoredModel>();
        foreach (var modelName in names)
        {
            foreach (var directory in VisibleDirectories(Path.Combine(Root, modelName)))
            {
                if (File.Exists(Path.Combine(directory, ModelManifest.FileName)))
                {
                    models.Add(await ReadAsync(directory, cancellationToken).ConfigureAwait(false));
                }
            }
        }

        return [.. models.OrderByDescending(m => m.Manifest.CreatedAt)
            .ThenBy(m => m.Manifest.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Manifest.Version, StringComparer.Ordinal)];
    }

    /// <summary>Removes one version; when it was the latest, the newest remaining version becomes the latest.</summary>
    /// <returns>The removed model.</returns>
    public async Task<StoredModel> DeleteAsync(ModelTag tag, CancellationToken cancellationToken)
    {
        var model = await GetAsync(tag, cancellationToken).ConfigureAwait(false);
        // Renamed away first, so a reader never sees a half-deleted version.
        var trash = Path.Combine(Root, model.Tag.Name, $".deleted-{Guid.NewGuid():N}");
        Directory.Move(model.Directory, trash);
        Directory.Delete(trash, recursive: true);
        var latest = await ReadLatestPointerAsync(model.Tag.Name, cancellationToken).ConfigureAwait(false);
        if (latest == model.Tag.Version)
        {
            var next = Newest(await ListAsync(model.Tag.Name, cancellationToken).ConfigureAwait(false));
            await WriteLatestAsync(model.Tag.Name, next?.Tag.Version, cancellationToken).ConfigureAwait(false);
        }

        return model;
    }

    /// <summary>Writes the model with <paramref name="tag"/> to one archive file (same model, same bytes).</summary>
    public async Task<StoredModel> ExportAsync(ModelTag tag, string archivePath, CancellationToken cancellationToken)
    {
        var model = await GetAsync(tag, cancellationToken).ConfigureAwait(false);
        await ModelArchive.WriteAsync(model, archivePath, cancellationToken).ConfigureAwait(false);
        return model;
    }

    /// <summary>Adds the model in an archive written by <see cref="ExportAsync"/>, checking every file's hash, and makes it the latest.</summary>
    public async Task<StoredModel> ImportAsync(string archivePath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        var staging = Path.Combine(Root, $".import-{Guid.NewGuid():N}");
        try
        {
            var manifest = await ModelArchive.ExtractAsync(archivePath, staging, cancellationToken).ConfigureAwait(false);
            CheckName(manifest.Name);
            Directory.CreateDirectory(Path.Combine(Root, manifest.Name));
            return await CommitAsync(staging, manifest, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            DeleteIfExists(staging);
        }
    }

    /// <summary>
    /// The model in the archive at <paramref name="archivePath"/>: the stored version when the store has it, else
    /// imported from the archive (a fresh clone whose archive came from the pipeline's cache, not from a training).
    /// </summary>
    public async Task<StoredModel> GetOrImportAsync(string archivePath, CancellationToken cancellationToken)
    {
        var manifest = await ModelArchive.ReadManifestAsync(archivePath, cancellationToken).ConfigureAwait(false);
        try
        {
            return await GetAsync(manifest.Tag, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelNotFoundException)
        {
            return await ImportAsync(archivePath, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<StoredModel> CommitAsync(string staging, ModelManifest manifest, CancellationToken cancellationToken)
    {
        var final = VersionDirectory(manifest.Name, manifest.Version);
        if (!Directory.Exists(final))
        {
            try
            {
                Directory.Move(staging, final);
            }
            catch (IOException) when (Directory.Exists(final))
            {
                // Another process stored the same content at the same moment: its copy is as good as ours.
            }
        }

        if (Directory.Exists(staging))
        {
            // Same files, maybe another creation time or revision: the manifest is replaced by a rename, atomically.
            File.Move(Path.Combine(staging, ModelManifest.FileName), Path.Combine(final, ModelManifest.FileName), overwrite: true);
        }

        await WriteLatestAsync(manifest.Name, manifest.Version, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(final, cancellationToken).ConfigureAwait(false);
    }

    private static ModelManifest ToManifest(ModelDraft draft, List<ModelFile> files)
    {
        var manifest = new ModelManifest(
            draft.Name,
            string.Empty,
            draft.Framework,
            TruncateToSeconds(draft.CreatedAt),
            draft.GitRevision,
            draft.Params,
            draft.Metrics,
            draft.Metadata,
            [.. files.OrderBy(f => f.Name, StringComparer.Ordinal)]);
        return manifest with { Version = ModelVersion.Of(manifest) };
    }

    private static StoredModel? Newest(IReadOnlyList<StoredModel> newestFirst) => newestFirst.Count > 0 ? newestFirst[0] : null;

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    private static async Task<StoredModel> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, ModelManifest.FileName);
        var manifest = StoreJson.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), path);
        return new StoredModel(manifest, directory);
    }

    private async Task<string?> LatestVersionAsync(string name, CancellationToken cancellationToken)
    {
        var pointer = await ReadLatestPointerAsync(name, cancellationToken).ConfigureAwait(false);
        if (pointer is not null && Directory.Exists(VersionDirectory(name, pointer)))
        {
            return pointer;
        }

        // A store copied without its pointer still has a latest: the newest version.
        return Newest(await ListAsync(name, cancellationToken).ConfigureAwait(false))?.Tag.Version;
    }

    private async Task<string?> ReadLatestPointerAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Root, name, LatestFile);
        if (!File.Exists(path))
        {
            return null;
        }

        var version = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
        return ModelTag.IsValidPart(version) ? version : null;
    }

    private async Task WriteLatestAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Root, name, LatestFile);
        if (version is null)
        {
            File.Delete(path);
            return;
        }

        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temp, version + "\n", cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    private string VersionDirectory(string name, string version)
    {
        CheckName(name);
        if (!ModelTag.IsValidPart(version) || version == ModelTag.Latest)
        {
            throw new ModelStoreException($"'{version}' is not a model version");
        }

        return Path.Combine(Root, name, version);
    }

    private string NewStaging(string name)
    {
        var staging = Path.Combine(Root, name, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        return staging;
    }

    private static async Task<ModelFile> CopyAsync(string source, string target, CancellationToken cancellationToken)
    {
        if (!File.Exists(source))
        {
            throw new ModelStoreException($"{source}: file not found");
        }

        await using var input = File.OpenRead(source);
        await using var output = File.Create(target);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        return new ModelFile(Path.GetFileName(target), output.Length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static IEnumerable<string> VisibleDirectories(string path) =>
        Directory.Exists(path)
            ? Directory.EnumerateDirectories(path).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal)
            : [];

    private static void CheckName(string name)
    {
        if (!ModelTag.IsValidPart(name) || name == ModelTag.Latest)
        {
            throw new ModelStoreException($"'{name}' is not a model name (letters, digits, '.', '_' and '-')");
        }
    }

    /// <summary>Fails unless <paramref name="name"/> is a plain file name, so no file can land outside its model's folder.</summary>
    internal static void CheckFileName(string name)
    {
        if (!ModelTag.IsValidPart(name) || name == ModelManifest.FileName)
        {
            throw new ModelStoreException($"'{name}' cannot be a model file name");
        }
    }

    private static void DeleteIfExists(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
