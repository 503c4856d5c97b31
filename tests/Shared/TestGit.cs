namespace Pipeline.Testing;

/// <summary>Runs the real git in a test repository, with an identity so commits work on any machine.</summary>
internal static class TestGit
{
    public static string Run(string root, params string[] arguments) =>
        TestProcess.Run("git", ["-c", "user.name=Pipeline Tests", "-c", "user.email=tests@example.com", "-c", "init.defaultBranch=main", .. arguments], root);

    public static void Commit(string root, string message, params string[] paths)
    {
        Run(root, ["add", "--", .. paths]);
        Run(root, "commit", "--quiet", "-m", message);
    }
}
