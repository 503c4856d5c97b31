using Cake.Common;
using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.MSBuild;
using Cake.Common.Tools.DotNet.Pack;
using Cake.Common.Tools.DotNet.Restore;
using Cake.Core;
using Cake.Core.IO;
using Pipeline.Cake;

namespace Planets.Build.Targets;

/// <summary>
/// The <c>Pack</c> target: the framework's NuGet packages (every packable project of the solution: the engine, the
/// adapters, the Cake addin, the tools and the template), versioned from git tags, into <c>artifacts/packages</c>.
/// </summary>
internal static class PackTarget
{
    /// <summary>Where the packages go unless <c>--package-output</c> says otherwise.</summary>
    public const string DefaultOutput = "artifacts/packages";

    // Any project of the repository gives the repository's version; this one has no dependencies to restore.
    private const string VersionProject = "src/Pipeline.Storage/Pipeline.Storage.csproj";

    public static void Register(Func<string, CakeTaskBuilder> task) =>
        task("Pack")
            .Description($"Packs the framework's NuGet packages into {DefaultOutput} (--package-output=DIR; --no-build packs what the last Release build made)")
            .Does(context =>
            {
                var options = new TargetOptions(context);
                // Restored first even for --no-build: pack reads a project's references from its restore state, and a
                // build of another copy of the sources into the same artifacts folder (a repository copy that shares
                // it) leaves that state naming the copy's projects, whose versions pack then cannot find (it wrote the
                // SDK's default 1.0.0 for them). One version, asked of MinVer once, goes to every project.
                context.DotNetRestore("Pipeline.sln", new DotNetRestoreSettings { MSBuildSettings = new DotNetMSBuildSettings { NodeReuse = false } });
                var version = RepositoryVersion(context);
                context.DotNetPack("Pipeline.sln", new DotNetPackSettings
                {
                    Configuration = "Release",
                    OutputDirectory = options.Text("package-output", null, DefaultOutput)!,
                    NoBuild = options.Flag("no-build"),
                    NoLogo = true,
                    MSBuildSettings = new DotNetMSBuildSettings { NodeReuse = false }.WithProperty("MinVerSkip", "true").WithProperty("Version", version),
                });
            });

    private static string RepositoryVersion(ICakeContext context)
    {
        var arguments = new ProcessArgumentBuilder().Append("msbuild").AppendQuoted(VersionProject).Append("-nologo -t:MinVer -getProperty:MinVerVersion -p:Configuration=Release");
        var exitCode = context.StartProcess("dotnet", new ProcessSettings { Arguments = arguments, RedirectStandardOutput = true }, out var output);
        var version = output.LastOrDefault(line => line.Trim().Length > 0)?.Trim();
        return exitCode == 0 && version is { Length: > 0 }
            ? version
            : throw new CakeException($"Pack: MinVer gave no version for {VersionProject} (exit code {exitCode})");
    }
}
