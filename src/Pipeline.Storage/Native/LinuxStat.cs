using System.Runtime.InteropServices;

namespace Pipeline.Storage.Native;

/// <summary>
/// statx(2) gives inode, size and nanosecond mtime in one call with a layout that is the same on every Linux
/// architecture, where <see cref="FileInfo"/> exposes no inode at all.
/// </summary>
internal static partial class LinuxStat
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int NoSuchFile = 2;
    private const int NotADirectory = 20;

    public static unsafe FileStat Read(string path)
    {
        StatxBuffer buffer;
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, &buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is NoSuchFile or NotADirectory)
            {
                throw new FileNotFoundException($"'{path}' does not exist", path);
            }

            throw new IOException($"cannot stat '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var modified = (buffer.MtimeSeconds * 1_000_000_000L) + buffer.MtimeNanoseconds;
        return new FileStat(buffer.Inode, modified, (long)buffer.Size);
    }

    /// <summary>The device (file system) that holds <paramref name="path"/>.</summary>
    public static unsafe ulong DeviceOf(string path)
    {
        StatxBuffer buffer;
        if (Statx(AtFdCwd, path, 0, StatxBasicStats, &buffer) != 0)
        {
            throw new IOException($"cannot stat '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, StatxBuffer* buffer);

    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }
}
