namespace Pipeline.Storage.Native;

/// <summary>What the state database keys a file's hash on: if any of these change, the file is hashed again.</summary>
/// <param name="Inode">The inode number (0 where the platform does not expose one).</param>
/// <param name="ModifiedNanoseconds">Last write time in nanoseconds since the Unix epoch.</param>
/// <param name="Size">Length in bytes.</param>
public readonly record struct FileStat(ulong Inode, long ModifiedNanoseconds, long Size)
{
    /// <summary>Reads the stat of <paramref name="path"/>, following no symbolic link at the last component.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static FileStat Of(string path) =>
        OperatingSystem.IsLinux() ? LinuxStat.Read(path) : Portable(path);

    private static FileStat Portable(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"'{path}' does not exist", path);
        }

        var ticks = info.LastWriteTimeUtc.Ticks - DateTime.UnixEpoch.Ticks;
        return new FileStat(0, ticks * 100, info.Length);
    }
}
