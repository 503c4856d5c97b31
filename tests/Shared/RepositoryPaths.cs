namespace Pipeline.Testing;

/// <summary>Finds the repository the tests were built from, for tests that copy its files or run its scripts.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder that holds Pipeline.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Pipeline.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("tests must run from a build inside the repository");
    }
}
