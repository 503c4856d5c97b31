namespace Pipeline.Core.Stages;

/// <summary>A .NET project of the repository as a program the pipeline builds before a stage runs it (see <see cref="StageProgram"/>).</summary>
public static class DotNetProgram
{
    // Every project reads these: compiler settings, package versions and the SDK's version.
    private static readonly string[] BuildFiles = ["Directory.Build.props", "Directory.Packages.props", "global.json"];

    /// <summary>
    /// <paramref name="project"/> built in Release, its output in the SDK's artifacts layout
    /// (<c>UseArtifactsOutput</c>: <c>artifacts/bin/PROJECT/release</c>): its sources are <paramref name="folders"/> plus
    /// the repository's build files (<c>Directory.Build.props</c>, <c>Directory.Packages.props</c> and <c>global.json</c>,
    /// each of which must exist), and it is the assemblies named <paramref name="assemblies"/> in that folder.
    /// </summary>
    /// <param name="name">The program's name in messages.</param>
    /// <param name="project">The project file, relative to the repository root.</param>
    /// <param name="folders">The folders (and files) its build reads besides the build files: its own and those of the projects it references.</param>
    /// <param name="assemblies">The names of its own assemblies, without <c>.dll</c>.</param>
    public static StageProgram Release(string name, string project, IEnumerable<string> folders, IEnumerable<string> assemblies)
    {
        var output = $"artifacts/bin/{Path.GetFileNameWithoutExtension(project)}/release";
        return new StageProgram(name, CommandLine.Of("dotnet", "build", project, "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly"))
        {
            Sources = [.. folders, .. BuildFiles],
            Outputs = [.. assemblies.Select(assembly => $"{output}/{assembly}.dll")],
            // The projects share artifacts/obj (and a referenced project's build): two builds at once would collide.
            BuildLock = "artifacts/.pipeline-build.lock",
        };
    }
}
