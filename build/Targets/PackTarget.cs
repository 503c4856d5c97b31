using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Pack;
using Cake.Common.Tools.DotNet.Restore;
using Cake.Core;
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

    public static void Register(Func<string, CakeTaskBuilder> task) =>
        task("Pack")
            .Description($"Packs the framework's NuGet packages into {DefaultOutput} (--package-output=DIR; --no-build packs what the last Release build made)")
            .Does(context =>
            {
                var options = new TargetOptions(context);
                // Restored first even for --no-build: pack reads a project's references from its restore state, and a
                // build of another copy of the sources into the same artifacts folder (a repository copy that shares
                // it) leaves that state naming the copy's projects, whose versions pack then cannot find (it wrote the
                // SDK's default 1.0.0 for them).
                context.DotNetRestore("Pipeline.sln", new DotNetRestoreSettings());
                context.DotNetPack("Pipeline.sln", new DotNetPackSettings
                {
                    Configuration = "Release",
                    OutputDirectory = options.Text("package-output", null, DefaultOutput)!,
                    NoBuild = options.Flag("no-build"),
                    NoLogo = true,
                });
            });
}
