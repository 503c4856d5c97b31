using System.Collections.Concurrent;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;
using Pipeline.Storage.Objects;

namespace Pipeline.Storage.Cache;

/// <summary>
/// Makes workspace paths match cached content: verifies each object, then places it with the first link type
/// that works on this file system, through a temporary name and a rename. In a folder it touches only files that differ,
/// several at a time.
/// </summary>
public sealed class Checkout
{
    // Placing a file is a few short system calls that may wait on the disk: more of them than cores keeps the cores busy.
    private static readonly int Parallelism = Environment.ProcessorCount * 2;
    private readonly FolderObjectDatabase store;
    private readonly ContentHasher hasher;
    private readonly LinkType[] linkTypes;
    private readonly ConcurrentDictionary<string, ulong> deviceOfFolder = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(ulong Device, LinkType LinkType), bool> unsupported = new();

    /// <summary>Creates a checkout that tries <paramref name="linkTypes"/> in order (copy is always the last resort).</summary>
    public Checkout(FolderObjectDatabase store, ContentHasher hasher, IEnumerable<LinkType> linkTypes)
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

            if (Matches(target, hash, cancellationToken))
            {
                return 0;
            }

            await store.EnsureIntactAsync(hash, cancellationToken);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
            await PlaceVerifiedAsync(hash, target, cancellationToken);
            return 1;
        }

        var manifest = await store.ReadManifestAsync(hash, cancellationToken);
        await Parallel.ForEachAsync(
            manifest.Entries, ParallelFiles(cancellationToken), (entry, token) => new ValueTask(store.EnsureIntactAsync(entry.Hash, token)));
        return await RestoreDirectoryAsync(manifest, target, cancellationToken);
    }

    /// <summary>The link types this checkout tries, in order, for a file placed in <paramref name="folder"/>.</summary>
    public IReadOnlyList<LinkType> LinkTypesFor(string folder) => [.. UsableLinkTypes(DeviceOf(Path.GetFullPath(folder)))];

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

        // Folders are few: made once here, so that placing a file never has to check for its folder.
        foreach (var folder in manifest.Entries.Select(e => Path.GetDirectoryName(Path.Combine(target, e.RelativePath))!).Distinct(StringComparer.Ordinal))
        {
            Directory.CreateDirectory(folder);
        }

        var written = 0;
        await Parallel.ForEachAsync(manifest.Entries, ParallelFiles(cancellationToken), async (entry, token) =>
        {
            var path = Path.Combine(target, entry.RelativePath);
            if (!Matches(path, entry.Hash, token))
            {
                // Verified with the whole folder before anything was placed.
                await PlaceVerifiedAsync(entry.Hash, path, token);
                Interlocked.Increment(ref written);
            }
        });
        return written;
    }

    private async Task PlaceVerifiedAsync(ContentHash hash, string target, CancellationToken cancellationToken)
    {
        var source = store.PathOf(hash);
        if (!TryHardLinkInPlace(source, target))
        {
            await PlaceThroughTemporaryAsync(source, target, cancellationToken);
        }

        hasher.State.Record(Path.GetFullPath(target), FileStat.Of(target), hash);
    }

    // A hard link appears whole or not at all, so where it is the link type to use and the name is free it needs no
    // temporary name and rename: half the journaled directory changes of a checkout into an empty folder.
    // The target's folder exists: both callers make it first.
    private bool TryHardLinkInPlace(string source, string target)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var device = DeviceOf(Path.GetDirectoryName(target)!);
        if (UsableLinkTypes(device).FirstOrDefault() != LinkType.Hardlink)
        {
            return false;
        }

        var outcome = LinuxLinks.TryHardLink(source, target);
        if (outcome == LinkOutcome.Unsupported)
        {
            unsupported.TryAdd((device, LinkType.Hardlink), true);
        }

        // Any other failure (the name is taken, say) is left to the general path, which replaces by rename.
        return outcome == LinkOutcome.Linked;
    }

    private async Task PlaceThroughTemporaryAsync(string source, string target, CancellationToken cancellationToken)
    {
        var temporary = AtomicFile.TemporaryPathBeside(target);
        try
        {
            await PlaceAsync(source, temporary, cancellationToken);
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private bool Matches(string target, ContentHash hash, CancellationToken cancellationToken)
    {
        if (!File.Exists(target))
        {
            return false;
        }

        return hasher.HashFile(target, FileStat.Of(target), hash.Algorithm, cancellationToken) == hash;
    }

    private async Task PlaceAsync(string source, string target, CancellationToken cancellationToken)
    {
        var device = DeviceOf(Path.GetDirectoryName(target)!);
        foreach (var linkType in UsableLinkTypes(device))
        {
            var outcome = await TryPlaceAsync(linkType, source, target, cancellationToken);
            if (outcome == LinkOutcome.Linked)
            {
                return;
            }

            if (outcome == LinkOutcome.Unsupported)
            {
                // Remember what this file system cannot do, so later files placed on it do not try it again.
                unsupported.TryAdd((device, linkType), true);
            }
        }
    }

    // The configured link types minus those the file system on device has been found to lack.
    private IEnumerable<LinkType> UsableLinkTypes(ulong device) => linkTypes.Where(linkType => !unsupported.ContainsKey((device, linkType)));

    // Folders are few and their file system does not change under a checkout: a stat per folder, not per file.
    private ulong DeviceOf(string fullPath) =>
        OperatingSystem.IsLinux() ? deviceOfFolder.GetOrAdd(fullPath, LinuxStat.DeviceOf) : 0;

    private static ParallelOptions ParallelFiles(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };

    private static async Task<LinkOutcome> TryPlaceAsync(LinkType linkType, string source, string target, CancellationToken cancellationToken)
    {
        switch (linkType)
        {
            case LinkType.Reflink when OperatingSystem.IsLinux():
                return MakeWritable(target, LinuxLinks.TryReflink(source, target));
            case LinkType.Hardlink when OperatingSystem.IsLinux():
                return LinuxLinks.TryHardLink(source, target);
            case LinkType.Reflink or LinkType.Hardlink:
                return LinkOutcome.Unsupported;
            default:
                await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
                await using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await input.CopyToAsync(output, cancellationToken);
                }

                return MakeWritable(target, LinkOutcome.Linked);
        }
    }

    // A clone or a copy is the workspace's own file, unlike a hard link that shares the read-only cache object.
    private static LinkOutcome MakeWritable(string path, LinkOutcome outcome)
    {
        if (outcome == LinkOutcome.Linked && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite);
        }

        return outcome;
    }
}
