using Pipeline.Storage.Hashing;

namespace Pipeline.Storage.Objects;

/// <summary>An object that could not be moved, and why.</summary>
/// <param name="Hash">The object.</param>
/// <param name="Reason">One clause for the user, such as <c>not in the local cache</c>.</param>
public sealed record TransferFailure(ContentHash Hash, string Reason)
{
    /// <summary>The object's key and the reason, as messages show it.</summary>
    public override string ToString() => $"{ObjectLayout.KeyOf(Hash)}: {Reason}";
}

/// <summary>What a push or fetch did.</summary>
/// <param name="Transferred">Objects moved.</param>
/// <param name="Bytes">Bytes moved.</param>
/// <param name="AlreadyThere">Objects skipped because the other side already had them.</param>
/// <param name="Failed">Objects that could not be moved.</param>
public sealed record TransferSummary(int Transferred, long Bytes, int AlreadyThere, IReadOnlyList<TransferFailure> Failed)
{
    /// <summary>Of the objects moved, those whose copy in the destination was corrupt and is now replaced.</summary>
    public int Replaced { get; init; }

    /// <summary>The failures as one clause: the first few by key, then how many more.</summary>
    public string DescribeFailures(int shown = 3)
    {
        var first = string.Join("; ", Failed.Take(shown));
        return Failed.Count > shown ? $"{first}; and {Failed.Count - shown} more" : first;
    }
}

/// <summary>Where each referenced object is, between two object databases (the local cache and a remote, say).</summary>
/// <param name="InSync">Objects in both.</param>
/// <param name="LocalOnly">Objects only in the first (the local cache): a push would send them.</param>
/// <param name="RemoteOnly">Objects only in the second (the remote): a fetch would bring them.</param>
/// <param name="Missing">Objects in neither (including the files of a folder whose manifest is nowhere).</param>
public sealed record RemoteStatusReport(
    int InSync, IReadOnlyList<ContentHash> LocalOnly, IReadOnlyList<ContentHash> RemoteOnly, IReadOnlyList<ContentHash> Missing)
{
    /// <summary>Objects whose copy in the second (the remote) is corrupt: its size or digest contradicts its name. A push replaces them.</summary>
    public IReadOnlyList<ContentHash> Corrupt { get; init; } = [];
}

/// <summary>Which objects a database holds, told intact from corrupt by what it says of them without a download.</summary>
/// <param name="Intact">Objects held whose description matches their name.</param>
/// <param name="Corrupt">Objects held whose size or digest contradicts their name.</param>
public sealed record HeldObjects(IReadOnlySet<ContentHash> Intact, IReadOnlySet<ContentHash> Corrupt);

/// <summary>What a garbage collection of an object database removed (or, in a dry run, would remove).</summary>
/// <param name="Removed">The unreferenced objects, with their sizes.</param>
/// <param name="Kept">How many objects are referenced and stay.</param>
public sealed record SweepResult(IReadOnlyList<StoredObject> Removed, int Kept)
{
    /// <summary>The bytes the removed objects took.</summary>
    public long BytesFreed => Removed.Sum(o => o.Size);
}
