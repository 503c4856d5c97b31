using System.Reflection;
using PublicApiGenerator;

namespace Planets.Build.Tests;

/// <summary>
/// Each library package's public API as approved in <c>src/PROJECT/PublicAPI.approved.txt</c>: a change to what other
/// repositories compile against (a breaking one above all) shows as a diff of that file in review.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Libraries { get; } =
    [
        "Pipeline.Storage", "Pipeline.Core", "Pipeline.Annotations", "Pipeline.Remotes", "Pipeline.Remotes.S3", "Pipeline.Reports",
        "Pipeline.GitHub", "Pipeline.Cake", "Pipeline.Containers", "Pipeline.Kubernetes", "Pipeline.Models", "Pipeline.Programs",
        "Pipeline.Monitoring",
    ];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void The_public_api_is_the_approved_one(string library)
    {
        var api = ApiGenerator.GeneratePublicApi(Assembly.Load(library), new ApiGeneratorOptions
        {
            // Which test projects see internals, and where the sources were, are not part of the API.
            ExcludeAttributes = ["System.Runtime.CompilerServices.InternalsVisibleToAttribute", "System.Reflection.AssemblyMetadataAttribute"],
        }).ReplaceLineEndings("\n") + "\n";
        var approved = Path.Combine(RepositoryPaths.Root, "src", library, "PublicAPI.approved.txt");
        // Written only when it differs: a rewritten file would look like a changed source to the pipeline's definition.
        if (Environment.GetEnvironmentVariable("PIPELINE_APPROVE_API") == "1" && (!File.Exists(approved) || File.ReadAllText(approved) != api))
        {
            File.WriteAllText(approved, api);
        }

        Assert.True(File.Exists(approved) && File.ReadAllText(approved) == api,
            $"src/{library}: the public API is not the approved one; review the change, then accept it with PIPELINE_APPROVE_API=1 dotnet test tests/Planets.Build.Tests --filter PublicApiTests");
    }
}
