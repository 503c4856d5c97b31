using System.Diagnostics;

namespace Pipeline.Testing;

/// <summary>
/// Pinned npm packages a test runs (a server, a linter), installed by <c>npm ci</c> from a folder's package-lock.json
/// with the machine's npm when they are missing: CI starts on a fresh machine.
/// </summary>
/// <remarks>
/// Test assemblies run in parallel processes, and two <c>npm ci</c> in one folder tear each other's node_modules down:
/// a gate serialises this process's tests, a lock file (flock through FileShare.None) the processes.
/// </remarks>
internal static class NodePackages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Runs <c>npm ci</c> in <paramref name="folder"/> unless every path of <paramref name="installed"/> (relative to it) exists.</summary>
    public static async Task EnsureInstalledAsync(string folder, params string[] installed)
    {
        await Gate.WaitAsync();
        try
        {
            await using var processLock = await LockAsync(folder);
            if (installed.All(path => Path.Exists(Path.Combine(folder, path))))
            {
                return;
            }

            var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            using var npm = Process.Start(start)!;
            var output = npm.StandardOutput.ReadToEndAsync();
            var error = await npm.StandardError.ReadToEndAsync();
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {folder} failed: {error}{await output}");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<FileStream> LockAsync(string folder)
    {
        // Named after the folder by a stable hash: string.GetHashCode differs between processes.
        var name = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(folder)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"npm-install-{name}.lock");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(200);
            }
        }
    }
}
