using Pipeline.Remotes.Configuration;
using Pipeline.Storage;
using Pipeline.Storage.Hashing;

namespace Pipeline.Remotes;

/// <summary>
/// A remote in a local or network folder. Objects are written to a temporary name beside their place and renamed,
/// so a reader (or a push killed half-way) never leaves a partial object under an object's name.
/// </summary>
/// <param name="definition">The remote's configuration.</param>
/// <param name="root">The folder, absolute.</param>
public sealed class FolderRemote(RemoteDefinition definition, string root) : IRemote
{
    /// <inheritdoc />
    public RemoteDefinition Definition { get; } = definition;

    /// <summary>The folder, absolute.</summary>
    public string Root { get; } = root;

    /// <inheritdoc />
    public Task<IReadOnlyCollection<ContentHash>> ListAsync(string? hashPrefix, CancellationToken cancellationToken) =>
        GuardAsync("list objects", () =>
        {
            var objects = Path.Combine(Root, RemoteLayout.ObjectsFolder);
            var folders = hashPrefix is null
                ? Directory.Exists(objects) ? Directory.EnumerateDirectories(objects) : []
                : [Path.Combine(objects, hashPrefix)];
            IReadOnlyCollection<ContentHash> found = [.. folders.Where(Directory.Exists).SelectMany(ObjectsIn)];
            return Task.FromResult(found);
        });

    /// <inheritdoc />
    public Task<bool> ExistsAsync(ContentHash hash, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(PathOf(hash)));

    /// <inheritdoc />
    public Task UploadAsync(ContentHash hash, string sourcePath, CancellationToken cancellationToken) =>
        GuardAsync($"upload {RemoteLayout.KeyOf(hash)}", async () =>
        {
            await using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await AtomicFile.WriteAsync(PathOf(hash), target => source.CopyToAsync(target, cancellationToken), cancellationToken);
            return true;
        });

    /// <inheritdoc />
    public Task<bool> DownloadAsync(ContentHash hash, Func<Stream, Task> receive, CancellationToken cancellationToken) =>
        GuardAsync($"download {RemoteLayout.KeyOf(hash)}", async () =>
        {
            ArgumentNullException.ThrowIfNull(receive);
            FileStream source;
            try
            {
                source = new FileStream(PathOf(hash), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }

            await using (source)
            {
                await receive(source);
            }

            return true;
        });

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken) =>
        GuardAsync("delete objects", () =>
        {
            foreach (var hash in hashes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                File.Delete(PathOf(hash));
            }

            return Task.FromResult(true);
        });

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private string PathOf(ContentHash hash) => Path.Combine(Root, RemoteLayout.KeyOf(hash));

    private static IEnumerable<ContentHash> ObjectsIn(string folder) =>
        Directory.EnumerateFiles(folder)
            .Select(file => RemoteLayout.TryParse(Path.GetFileName(folder), Path.GetFileName(file)))
            .OfType<ContentHash>();

    // A network share drops out and comes back: I/O errors are worth a retry, missing permissions are not.
    private async Task<T> GuardAsync<T>(string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new RemoteException($"{Definition}: cannot {what}: permission denied in {Root}", isTransient: false, e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new RemoteException($"{Definition}: cannot {what}: {e.Message}", isTransient: true, e);
        }
    }
}
