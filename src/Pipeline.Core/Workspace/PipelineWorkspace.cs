using Pipeline.Core.LockFiles;
using Pipeline.Core.Parameters;
using Pipeline.Storage.Cache;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;
using Pipeline.Storage.State;

namespace Pipeline.Core.Workspace;

/// <summary>
/// A repository seen by the pipeline: its root, parameters, lock file, cache and state database. Paths that stages
/// declare are relative to <see cref="Root"/>. The services that orchestrate (the stage runner, gc, checkout, the
/// diffs) take it whole, as DVC's components take its <c>Repo</c>; the ones that do one thing take only the parts they
/// use (<see cref="WorkTree"/>, <see cref="Hasher"/>, <see cref="Cache"/>, <see cref="RunCacheFolder"/>).
/// </summary>
public sealed class PipelineWorkspace : IAsyncDisposable
{
    private PipelineWorkspace(string root, PipelineSettings settings, StateDatabase state, IProgress<HashingProgress>? hashingProgress)
    {
        Root = root;
        WorkTree = new WorkTree(root);
        Settings = settings;
        Hasher = new ContentHasher(state, settings.HashAlgorithm, settings.HashingParallelism) { Progress = hashingProgress };
        Cache = new FolderObjectDatabase(Path.Combine(root, settings.DataFolder, "cache"), "the local cache", Hasher, verifyOnRead: true);
        Checkout = new Checkout(Cache, Hasher, settings.LinkTypes);
        LockFiles = new LockFileStore(Path.Combine(root, settings.LockFile));
    }

    /// <summary>The repository root.</summary>
    public string Root { get; }

    /// <summary>Where repository-relative paths resolve.</summary>
    public WorkTree WorkTree { get; }

    /// <summary>The folder of the run-cache's entries.</summary>
    public string RunCacheFolder => Path.Combine(Root, Settings.DataFolder, "runs");

    /// <summary>The settings in force.</summary>
    public PipelineSettings Settings { get; }

    /// <summary>Hashes files and folders through the state database.</summary>
    public ContentHasher Hasher { get; }

    /// <summary>The content-addressed local cache.</summary>
    public FolderObjectDatabase Cache { get; }

    /// <summary>Places cached content in the workspace.</summary>
    public Checkout Checkout { get; }

    /// <summary>The lock file.</summary>
    public LockFileStore LockFiles { get; }

    /// <summary>Opens the workspace rooted at <paramref name="root"/>, loading its state database.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="settings">The settings in force.</param>
    /// <param name="cancellationToken">Stops the loading.</param>
    /// <param name="hashingProgress">Told how far the reading of large folders has got.</param>
    public static async Task<PipelineWorkspace> OpenAsync(
        string root, PipelineSettings settings, CancellationToken cancellationToken, IProgress<HashingProgress>? hashingProgress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var fullRoot = Path.GetFullPath(root);
        var state = await StateDatabase.OpenAsync(Path.Combine(fullRoot, settings.DataFolder, "state.db"), cancellationToken);
        return new PipelineWorkspace(fullRoot, settings, state, hashingProgress);
    }

    /// <summary>The absolute path of a repository-relative path.</summary>
    public string Resolve(string relativePath) => WorkTree.Resolve(relativePath);

    /// <summary>Reads the parameters file.</summary>
    public Task<ParameterSet> LoadParametersAsync(CancellationToken cancellationToken) =>
        ParameterSet.LoadAsync(Resolve(Settings.ParametersFile), Settings.ParametersFile, cancellationToken);

    /// <summary>Persists what was learnt about file hashes.</summary>
    public Task SaveStateAsync(CancellationToken cancellationToken) => Hasher.SaveStateAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await SaveStateAsync(CancellationToken.None);
}
