using CliWrap;
using CliWrap.Buffered;
using Pipeline.Core;

namespace Pipeline.Cake.Tests;

/// <summary>
/// A pipeline definition edited after it was built is never run as the old build: the run stops and says so. A stamp
/// left by the bootstrapper (scripts/definition-stamp.sh, as build.sh runs it) lets sources of the same content pass
/// whatever their file times, as in an experiment's fresh work tree.
/// </summary>
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

    [Fact]
    public async Task A_definition_stamped_with_its_sources_content_passes_though_every_source_is_newer()
    {
        var assembly = Write("artifacts/Definition.dll", DateTime.UtcNow.AddMinutes(-5));
        Write("build/Stages/Train.cs", DateTime.UtcNow);
        Write("build/obj/generated.cs", DateTime.UtcNow);
        Write("Directory.Build.props", DateTime.UtcNow);
        await StampAsync("artifacts/Definition.dll", "build", "Directory.Build.props", "missing.props");

        PipelineDefinition.RequireBuiltFromCurrentSources(root, assembly, ["build", "Directory.Build.props", "missing.props"], "./build.sh");
    }

    [Fact]
    public async Task A_stamp_of_other_content_or_of_another_build_leaves_the_file_times_to_decide()
    {
        var assembly = Write("artifacts/Definition.dll", DateTime.UtcNow.AddMinutes(-5));
        Write("build/Stages/Train.cs", DateTime.UtcNow);
        await StampAsync("artifacts/Definition.dll", "build");
        await File.AppendAllTextAsync(Path.Combine(root, "build/Stages/Train.cs"), "// edited");
        var edited = Assert.Throws<PipelineException>(() => PipelineDefinition.RequireBuiltFromCurrentSources(root, assembly, ["build"], "./build.sh"));

        await StampAsync("artifacts/Definition.dll", "build");
        Write("artifacts/Definition.dll", DateTime.UtcNow.AddMinutes(-5), "another build");
        var rebuilt = Assert.Throws<PipelineException>(() => PipelineDefinition.RequireBuiltFromCurrentSources(root, assembly, ["build"], "./build.sh"));

        Assert.StartsWith("build/Stages/Train.cs changed after the pipeline's definition", edited.Message, StringComparison.Ordinal);
        Assert.StartsWith("build/Stages/Train.cs changed after the pipeline's definition", rebuilt.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Npm_packages_in_a_source_folder_count_only_through_the_record_of_their_installation_that_the_sources_name()
    {
        var assembly = Write("artifacts/Definition.dll", DateTime.UtcNow.AddMinutes(-5));
        Write("src/Reports/Plots.cs", DateTime.UtcNow.AddMinutes(-10));
        Write("src/Reports/Vega/node_modules/.package-lock.json", DateTime.UtcNow.AddMinutes(-10), "vega 6.4.0");
        string[] sources = ["src/Reports", "src/Reports/Vega/node_modules/.package-lock.json"];
        await StampAsync("artifacts/Definition.dll", sources);
        // Thousands of package files, new or touched: neither hashed nor compared by time.
        Write("src/Reports/Vega/node_modules/vega/build/vega.min.js", DateTime.UtcNow);
        PipelineDefinition.RequireBuiltFromCurrentSources(root, assembly, sources, "./build.sh");

        // Other packages installed: the build that embeds them must run again.
        Write("src/Reports/Vega/node_modules/.package-lock.json", DateTime.UtcNow, "vega 6.5.0");
        var error = Assert.Throws<PipelineException>(() => PipelineDefinition.RequireBuiltFromCurrentSources(root, assembly, sources, "./build.sh"));

        Assert.StartsWith("src/Reports/Vega/node_modules/.package-lock.json changed after the pipeline's definition", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    // The stamp as the bootstrapper writes it, by the repository's own script.
    private async Task StampAsync(string assembly, params string[] sources)
    {
        var result = await Cli.Wrap("bash").WithArguments([Path.Combine(RepositoryPaths.Root, "scripts", "definition-stamp.sh"), assembly, .. sources])
            .WithWorkingDirectory(root).ExecuteBufferedAsync();
        await File.WriteAllTextAsync(Path.Combine(root, assembly + ".sources"), result.StandardOutput);
    }

    private string Write(string relative, DateTime modified, string? content = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content ?? relative);
        File.SetLastWriteTimeUtc(path, modified);
        return path;
    }
}
