using System.Runtime.InteropServices;

namespace Pipeline.Storage.Native;

/// <summary>The two ways Linux shares file content that .NET has no API for: reflinks and hard links.</summary>
internal static partial class LinuxLinks
{
    private const ulong FiClone = 0x40049409;

    /// <summary>Makes <paramref name="target"/> a copy-on-write clone of <paramref name="source"/>; false where the file system cannot.</summary>
    public static bool TryReflink(string source, string target)
    {
        using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read);
        using var output = File.OpenHandle(target, FileMode.CreateNew, FileAccess.Write);
        if (Ioctl((int)output.DangerousGetHandle(), FiClone, (int)input.DangerousGetHandle()) == 0)
        {
            return true;
        }

        output.Dispose();
        File.Delete(target);
        return false;
    }

    /// <summary>Makes <paramref name="target"/> a hard link to <paramref name="source"/>; false where the file system cannot.</summary>
    public static bool TryHardLink(string source, string target) => Link(source, target) == 0;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, ulong request, int argument);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string source, string target);
}
