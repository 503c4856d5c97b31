using System.Runtime.InteropServices;

namespace Pipeline.Storage.Native;

/// <summary>How an attempt to share a file's content went.</summary>
internal enum LinkOutcome
{
    /// <summary>The target shares the source's content.</summary>
    Linked,

    /// <summary>The file systems cannot share content this way at all: no later file will fare better.</summary>
    Unsupported,

    /// <summary>This file could not be linked (a full link count, a permission), which says nothing of the next one.</summary>
    Failed,
}

/// <summary>The two ways Linux shares file content that .NET has no API for: reflinks and hard links.</summary>
internal static partial class LinuxLinks
{
    private const ulong FiClone = 0x40049409;
    private const int NotPermitted = 1;
    private const int CrossDevice = 18;
    private const int InvalidArgument = 22;
    private const int NotATypewriter = 25;
    private const int NotSupported = 95;

    /// <summary>Makes <paramref name="target"/> a copy-on-write clone of <paramref name="source"/>.</summary>
    public static LinkOutcome TryReflink(string source, string target)
    {
        using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read);
        using var output = File.OpenHandle(target, FileMode.CreateNew, FileAccess.Write);
        if (Ioctl((int)output.DangerousGetHandle(), FiClone, (int)input.DangerousGetHandle()) == 0)
        {
            return LinkOutcome.Linked;
        }

        var outcome = OutcomeOf(Marshal.GetLastPInvokeError());
        output.Dispose();
        File.Delete(target);
        return outcome;
    }

    /// <summary>Makes <paramref name="target"/> a hard link to <paramref name="source"/>.</summary>
    public static LinkOutcome TryHardLink(string source, string target) =>
        Link(source, target) == 0 ? LinkOutcome.Linked : OutcomeOf(Marshal.GetLastPInvokeError());

    // What the kernel answers when a file system (or the pair of them) has no such link at all.
    private static LinkOutcome OutcomeOf(int errno) =>
        errno is NotSupported or CrossDevice or InvalidArgument or NotATypewriter or NotPermitted ? LinkOutcome.Unsupported : LinkOutcome.Failed;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, ulong request, int argument);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string source, string target);
}
