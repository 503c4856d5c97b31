using System.Diagnostics;

namespace Pipeline.Testing;

/// <summary>Runs the real git in a test repository, with an identity so commits work on any machine.</summary>
internal static class TestGit
{
    public static string Run(string root, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", ["-c", "user.name=Pipeline Tests", "-c", "user.email=tests@example.com", "-c", "init.defaultBranch=main", .. arguments])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)} failed: {error}");
        return output;
    }

    public static void Commit(string root, string message, params string[] paths)
    {
        Run(root, ["add", "--", .. paths]);
        Run(root, "commit", "--quiet", "-m", message);
    }
}
