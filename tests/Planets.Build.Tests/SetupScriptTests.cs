using CliWrap;
using CliWrap.Buffered;

namespace Planets.Build.Tests;

/// <summary>
/// scripts/setup-native.sh on the systems a newcomer has: nothing to do where libstdc++ is new enough, the fix where it
/// knows one, and one clear message elsewhere. The libstdc++ and os-release it reads are the test's own, so nothing
/// is installed.
/// </summary>
public sealed class SetupScriptTests : IDisposable
{
    private static readonly string[] ToolsUsed = ["id", "grep", "strings", "tee", "env"];
    private static readonly string[] ToolFolders = ["/usr/bin", "/bin"];
    private readonly string folder = Directory.CreateTempSubdirectory("setup-script-tests-").FullName;

    [Fact]
    public async Task Ubuntu_24_04_has_the_library_already_and_needs_nothing()
    {
        var (exitCode, output) = await RunAsync("ubuntu", "24.04", hasGlibcxx: true);

        Assert.Equal(0, exitCode);
        Assert.EndsWith("already provides GLIBCXX_3.4.32; nothing to do", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ubuntu_22_04_says_how_to_get_the_library()
    {
        var (exitCode, output) = await RunAsync("ubuntu", "22.04", hasGlibcxx: false);

        Assert.Equal(1, exitCode);
        Assert.Contains("Ubuntu 22.04's libstdc++ lacks GLIBCXX_3.4.32", output, StringComparison.Ordinal);
        Assert.Contains("sudo add-apt-repository -y ppa:ubuntu-toolchain-r/test && sudo apt-get install -y libstdc++6", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_system_gets_one_line_saying_what_is_needed()
    {
        var (exitCode, output) = await RunAsync("fedora", "41", hasGlibcxx: false);

        Assert.Equal(1, exitCode);
        Assert.Contains("lacks GLIBCXX_3.4.32 and this script knows no fix for 'fedora 41': install libstdc++ of GCC 13 or later", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debian_12_without_root_or_sudo_says_to_run_it_as_root_and_changes_nothing()
    {
        var (exitCode, output) = await RunAsync("debian", "12", hasGlibcxx: false, asNobody: true);

        Assert.Equal(1, exitCode);
        Assert.Contains("setup-native: installing libstdc++ needs root, and sudo is not installed: run this script as root", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // A PATH with only what the script uses, so that no sudo of this machine takes part.
    private string Tools()
    {
        var bin = Path.Combine(folder, "bin");
        Directory.CreateDirectory(bin);
        foreach (var tool in ToolsUsed)
        {
            var target = ToolFolders.Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
            if (target is not null && !File.Exists(Path.Combine(bin, tool)))
            {
                File.CreateSymbolicLink(Path.Combine(bin, tool), target);
            }
        }

        return bin;
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string id, string version, bool hasGlibcxx, bool asNobody = false)
    {
        var library = Path.Combine(folder, "libstdc++.so.6");
        await File.WriteAllTextAsync(library, hasGlibcxx ? "GLIBCXX_3.4.30\nGLIBCXX_3.4.32\n" : "GLIBCXX_3.4.30\n");
        var osRelease = Path.Combine(folder, "os-release");
        await File.WriteAllTextAsync(osRelease, $"ID={id}\nVERSION_ID=\"{version}\"\n");
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var script = Path.Combine(RepositoryPaths.Root, "scripts", "setup-native.sh");
        var command = asNobody
            ? Cli.Wrap("setpriv").WithArguments(["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/bash", script])
            : Cli.Wrap("/bin/bash").WithArguments([script]);
        var result = await command
            .WithEnvironmentVariables(env => env
                .Set("SETUP_NATIVE_LIBSTDCXX", library)
                .Set("SETUP_NATIVE_OS_RELEASE", osRelease)
                .Set("PATH", Tools()))
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return (result.ExitCode, result.StandardOutput + result.StandardError);
    }
}
