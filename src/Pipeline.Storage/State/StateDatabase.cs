using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;

namespace Pipeline.Storage.State;

/// <summary>
/// Remembers the hash of every file hashed so far, keyed by its path and stat (inode, mtime, size), one per algorithm,
/// so that an unchanged file is never read twice, not even while a repository moves from one algorithm to another and
/// compares old records with one and writes new ones with the other. Kept in memory and written atomically on
/// <see cref="SaveAsync"/>.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "Its SemaphoreSlim is only waited on asynchronously: without a wait handle it holds nothing to dispose.")]
public sealed class StateDatabase
{
    private const string Magic = "PLSTATE2";
    private readonly ConcurrentDictionary<string, StateEntry> entries;
    private readonly SemaphoreSlim saving = new(1, 1);
    private readonly string? filePath;
    private int changed;

    private StateDatabase(string? filePath, ConcurrentDictionary<string, StateEntry> entries)
    {
        this.filePath = filePath;
        this.entries = entries;
    }

    /// <summary>How many files the database knows.</summary>
    public int Count => entries.Count;

    /// <summary>A database that lives only as long as the process.</summary>
    public static StateDatabase InMemory() => new(null, new ConcurrentDictionary<string, StateEntry>(StringComparer.Ordinal));

    /// <summary>Opens the database at <paramref name="path"/>; a missing or unreadable file starts it empty.</summary>
    public static async Task<StateDatabase> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var entries = new ConcurrentDictionary<string, StateEntry>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            if (!TryRead(bytes, entries))
            {
                // A state database is only a memo: one that cannot be read costs a re-hash, never a wrong answer.
                entries.Clear();
            }
        }

        return new StateDatabase(path, entries);
    }

    /// <summary>The <paramref name="algorithm"/> hash recorded for <paramref name="path"/> if its stat still matches, else <c>null</c>.</summary>
    public ContentHash? Lookup(string path, FileStat stat, ContentHashAlgorithm algorithm)
    {
        // A loop, not LINQ: a no-op status asks this once per file, 100,000 times for a large dataset.
        if (entries.TryGetValue(path, out var entry) && entry.Stat == stat)
        {
            foreach (var hash in entry.Hashes)
            {
                if (hash.Algorithm == algorithm)
                {
                    return hash;
                }
            }
        }

        return null;
    }

    /// <summary>Records the hash of <paramref name="path"/> as of <paramref name="stat"/>, beside its hashes by other algorithms if the stat is the same.</summary>
    public void Record(string path, FileStat stat, ContentHash hash)
    {
        entries.AddOrUpdate(
            path,
            _ => new StateEntry(stat, [hash]),
            (_, old) => old.Stat == stat ? old with { Hashes = [.. old.Hashes.Where(h => h.Algorithm != hash.Algorithm), hash] } : new StateEntry(stat, [hash]));
        Interlocked.Exchange(ref changed, 1);
    }

    /// <summary>Forgets <paramref name="path"/>, after it was deleted or found corrupt.</summary>
    public void Forget(string path)
    {
        if (entries.TryRemove(path, out _))
        {
            Interlocked.Exchange(ref changed, 1);
        }
    }

    /// <summary>Writes the database if anything changed, through a temporary file and a rename.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (filePath is null)
        {
            return;
        }

        // One save at a time: two overlapping saves could rename an older snapshot over a newer one.
        await saving.WaitAsync(cancellationToken);
        try
        {
            if (Interlocked.Exchange(ref changed, 0) == 1)
            {
                await AtomicFile.WriteAsync(filePath, Write, cancellationToken);
            }
        }
        catch
        {
            Interlocked.Exchange(ref changed, 1);
            throw;
        }
        finally
        {
            saving.Release();
        }
    }

    private void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        var snapshot = entries.ToArray();
        writer.Write(snapshot.Length);
        foreach (var (path, entry) in snapshot)
        {
            writer.Write(path);
            writer.Write(entry.Stat.Inode);
            writer.Write(entry.Stat.ModifiedNanoseconds);
            writer.Write(entry.Stat.Size);
            writer.Write(entry.Hashes.Length);
            foreach (var hash in entry.Hashes)
            {
                writer.Write(hash.Algorithm.Name);
                writer.Write(hash.Value);
            }
        }
    }

    private static bool TryRead(byte[] bytes, ConcurrentDictionary<string, StateEntry> entries)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            if (reader.ReadString() != Magic)
            {
                return false;
            }

            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var path = reader.ReadString();
                var stat = new FileStat(reader.ReadUInt64(), reader.ReadInt64(), reader.ReadInt64());
                var hashes = new ContentHash[reader.ReadInt32()];
                for (var h = 0; h < hashes.Length; h++)
                {
                    var algorithm = ContentHashAlgorithm.FromName(reader.ReadString());
                    hashes[h] = new ContentHash(reader.ReadString(), algorithm);
                }

                entries[path] = new StateEntry(stat, [.. hashes]);
            }

            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException or OverflowException)
        {
            return false;
        }
    }

    private readonly record struct StateEntry(FileStat Stat, ImmutableArray<ContentHash> Hashes);
}
