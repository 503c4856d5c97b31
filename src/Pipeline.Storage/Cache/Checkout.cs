using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;

namespace Pipeline.Storage.Cache;

/// <summary>
/// Makes workspace paths match cached content: verifies each object, then places it with the first link type
/// that works on this file system, through a temporary name and a rename. In a folder it touches only files that differ.
/// </summary>
public sealed class Checkout
{
    private readonly ObjectStore store;
    private readonly ContentHasher hasher;
    private readonly List<LinkType> linkTypes;

    /// <summary>Creates a checkout that tries <paramref name="linkTypes"/> in order (copy is always the last resort).</summary>
    public Checkout(ObjectStore store, ContentHasher hasher, IEnumerable<LinkType> linkTypes)
    {
        this.store = store;
        this.hasher = hasher;
        this.linkTypes = [.. linkTypes.Append(LinkType.Copy).Distinct()];
    }

    /// <summary>Places the file or folder stored under <paramref name="hash"/> at <paramref name="target"/>.</summary>
    /// <returns>How many files were written (0 when the workspace already matched).</returns>
    /// <exception cref="MissingObjectException">An object is not in the cache.</exception>
    /// <exception cref="CorruptObjectException">An object no longer matches its hash; nothing of it is placed.</exception>
    public async Task<int> RestoreAsync(ContentHash hash, string target, CancellationToken cancellationToken)
    {
        if (!hash.IsDirectory)
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            return await RestoreFileAsync(hash, target, cancellationToken) ? 1 : 0;
        }

        var manifest = await store.ReadManifestAsync(hash, cancellationToken);
        await VerifyAllAsync(manifest, cancellationToken);
        return await RestoreDirectoryAsync(manifest, target, cancellationToken);
    }

    private async Task VerifyAllAsync(DirectoryManifest manifest, CancellationToken cancellationToken)
    {
        foreach (var entry in manifest.Entries)
        {
            await store.EnsureIntactAsync(entry.Hash, cancellationToken);
        }
    }

    private async Task<int> RestoreDirectoryAsync(DirectoryManifest manifest, string target, CancellationToken cancellationToken)
    {
        if (File.Exists(target))
        {
            File.Delete(target);
        }

        Directory.CreateDirectory(target);
        var wanted = manifest.Entries.Select(e => e.RelativePath).ToHashSet(StringComparer.Ordinal);
        foreach (var stray in ContentHasher.ListFiles(target).Where(path => !wanted.Contains(path)))
        {
            File.Delete(Path.Combine(target, stray));
        }

        var written = 0;
        foreach (var entry in manifest.Entries)
        {
            if (await RestoreFileAsync(entry.Hash, Path.Combine(target, entry.RelativePath), cancellationToken))
            {
                written++;
            }
        }

        return written;
    }

    private async Task<bool> RestoreFileAsync(ContentHash hash, string target, CancellationToken cancellationToken)
    {
        if (Matches(target, hash, cancellationToken))
        {
            return false;
        }

        await store.EnsureIntactAsync(hash, cancellationToken);
        var temporary = AtomicFile.TemporaryPathBeside(target);
        try
        {
            await PlaceAsync(store.PathOf(hash), temporary, cancellationToken);
            File.Move(temporary, target, overwrite: true);
            hasher.State.Record(Path.GetFullPath(target), FileStat.Of(target), hash);
        }
        finally
        {
            File.Delete(temporary);
        }

        return true;
    }

    private bool Matches(string target, ContentHash hash, CancellationToken cancellationToken)
    {
        if (!File.Exists(target))
        {
            return false;
        }

        return hasher.HashFile(target, FileStat.Of(target), cancellationToken) == hash;
    }

    private async Task PlaceAsync(string source, string target, CancellationToken cancellationToken)
    {
        foreach (var linkType in linkTypes.ToArray())
        {
            if (await TryPlaceAsync(linkType, source, target, cancellationToken))
            {
                return;
            }

            // Remember what this file system cannot do, so later files do not try it again.
            linkTypes.Remove(linkType);
        }
    }

    private static async Task<bool> TryPlaceAsync(LinkType linkType, string source, string target, CancellationToken cancellationToken)
    {
        switch (linkType)
        {
            case LinkType.Reflink:
                return OperatingSystem.IsLinux() && LinuxLinks.TryReflink(source, target) && MakeWritable(target);
            case LinkType.Hardlink:
                return OperatingSystem.IsLinux() && LinuxLinks.TryHardLink(source, target);
            default:
                await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
                await using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await input.CopyToAsync(output, cancellationToken);
                }

                return MakeWritable(target);
        }
    }

    private static bool MakeWritable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite);
        }

        return true;
    }
}
