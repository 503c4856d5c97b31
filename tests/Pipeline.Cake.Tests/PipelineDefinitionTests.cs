using Pipeline.Core;

namespace Pipeline.Cake.Tests;

/// <summary>A pipeline definition edited after it was built is never run as the old build: the run stops and says so.</summary>
public sealed class PipelineDefinitionTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("pipeline-definition-tests-").FullName;

    [Fact]
    public void A_definition_built_after_its_last_edit_passes()
    {
        var assembly = Write("artifacts/Definition.dll", DateTime.UtcNow);
        Write("build/Stages/Train.cs", DateTime.UtcNow.AddMinutes(-5));

        PipelineDefinition.RequireBuiltFromCurrentSources(root, assembly, ["build"], "./build.sh");
    }

    [Fact]
    public void A_source_edited_after_the_build_is_one_error_naming_it_and_the_command_that_rebuilds()
    {
        var assembly = Write("artifacts/Definition.dll", DateTime.UtcNow.AddMinutes(-5));
        Write("build/Stages/Train.cs", DateTime.UtcNow);
        Write("build/bin/stale.dll", DateTime.UtcNow);

        var error = Assert.Throws<PipelineException>(() => PipelineDefinition.RequireBuiltFromCurrentSources(root, assembly, ["build", "missing.props"], "./build.sh"));

        Assert.Equal("build/Stages/Train.cs changed after the pipeline's definition artifacts/Definition.dll was built: run ./build.sh, which rebuilds it first", error.Message);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string relative, DateTime modified)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, relative);
        File.SetLastWriteTimeUtc(path, modified);
        return path;
    }
}
