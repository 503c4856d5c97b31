using Pipeline.Core.Stages;

namespace Planets.Build.Stages;

/// <summary>A .NET project of this repository as a program the pipeline builds (see <see cref="StageProgram"/>).</summary>
internal static class DotNetProgram
{
    // Every project reads these: compiler settings, package versions and the SDK's version.
    private static readonly string[] BuildFiles = ["Directory.Build.props", "Directory.Packages.props", "global.json"];

    /// <summary>
    /// <paramref name="project"/> built in Release: its sources are <paramref name="folders"/> plus the repository's
    /// build files, and it is the assemblies named <paramref name="assemblies"/> in its output folder.
    /// </summary>
    public static StageProgram Release(string name, string project, string[] folders, string[] assemblies)
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
