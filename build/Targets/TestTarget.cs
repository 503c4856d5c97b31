using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Test;
using Cake.Core;

namespace Planets.Build.Targets;

/// <summary>The <c>Test</c> target, so that CI calls a Cake target for the tests as for everything else.</summary>
internal static class TestTarget
{
    public static void Register(Func<string, CakeTaskBuilder> task) =>
        task("Test")
            .Description("Runs every test project of Pipeline.sln in Release")
            .Does(context => context.DotNetTest("Pipeline.sln", new DotNetTestSettings { Configuration = "Release", NoLogo = true }));
}
