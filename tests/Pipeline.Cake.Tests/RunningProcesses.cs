using System.Runtime.InteropServices;

namespace Pipeline.Cake.Tests;

/// <summary>Signals a run as a terminal or a CI runner would, and finds what it left running.</summary>
internal static class RunningProcesses
{
    /// <summary>Sends <paramref name="signal"/> (15 is SIGTERM) to <paramref name="pid"/>; 0 when sent.</summary>
    public static int Signal(int pid, int signal) => Kill(pid, signal);

    /// <summary>The processes whose working folder is <paramref name="root"/> or inside it (a stage's command runs there).</summary>
    public static IEnumerable<int> In(string root) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)).Select(int.Parse!)
            .Where(pid =>
            {
                try
                {
                    return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget is { } cwd && (cwd == root || cwd.StartsWith(root + "/", StringComparison.Ordinal));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return false;
                }
            });

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
