using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Pack;
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
                context.DotNetPack("Pipeline.sln", new DotNetPackSettings
                {
                    Configuration = "Release",
                    OutputDirectory = options.Text("package-output", null, DefaultOutput)!,
                    NoBuild = options.Flag("no-build"),
                    NoLogo = true,
                });
            });
}
