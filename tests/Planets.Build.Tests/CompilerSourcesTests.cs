using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CliWrap;
using CliWrap.Buffered;

namespace Planets.Build.Tests;

/// <summary>
/// The repository's build settings (<c>Directory.Build.props</c>) on a project of their own: a source whose content
/// changes while its time goes back (a checkout, <c>cp -p</c>, <c>tar</c>) is compiled, and the same sources give the
/// same assembly bytes, so a stage never runs a stale program and an image layer never changes without a source change.
/// </summary>
public sealed class CompilerSourcesTests : IDisposable
{
    private static readonly DateTime LongAgo = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("compiler-sources-");

    [Fact]
    public async Task A_source_changed_with_an_older_time_is_compiled_and_the_same_sources_give_the_same_bytes()
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig" })
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, file), Path.Combine(folder.FullName, file));
        }

        Directory.CreateDirectory(Path.Combine(folder.FullName, "answers"));
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "answers", "Answers.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        var source = Path.Combine(folder.FullName, "answers", "Answer.cs");
        await File.WriteAllTextAsync(source, Answer(42));
        File.SetLastWriteTimeUtc(source, LongAgo);
        var first = await BuildAsync();
        await File.WriteAllTextAsync(source, Answer(43));
        File.SetLastWriteTimeUtc(source, LongAgo);
        var edited = await BuildAsync();
        await File.WriteAllTextAsync(source, Answer(42));
        File.SetLastWriteTimeUtc(source, LongAgo);
        var restored = await BuildAsync();

        Assert.NotEqual(first, edited);
        Assert.Equal(first, restored);
    }

    [Fact]
    public void The_bootstrapper_stamps_the_sources_the_definition_check_reads_and_they_hold_every_project_it_is_built_from()
    {
        var checkedSources = (string[])typeof(PlanetsPipeline).GetField("DefinitionSources", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        var script = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "build.sh"));
        var stamped = Regex.Match(script, @"\nsources=\((?<list>[^)]*)\)").Groups["list"].Value
            .Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(checkedSources, stamped);
        foreach (var project in ProjectsBehind(Path.Combine(RepositoryPaths.Root, "build", "Planets.Build.csproj")))
        {
            Assert.Contains(Path.GetRelativePath(RepositoryPaths.Root, Path.GetDirectoryName(project)!), checkedSources);
        }
    }

    public void Dispose() => folder.Delete(recursive: true);

    private static HashSet<string> ProjectsBehind(string project)
    {
        var found = new HashSet<string> { project };
        foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, (string)reference.Attribute("Include")!));
            if (!found.Contains(path))
            {
                found.UnionWith(ProjectsBehind(path));
            }
        }

        return found;
    }

    private static string Answer(int value) =>
        $"namespace Answers;\n\n/// <summary>The answer.</summary>\npublic static class Answer\n{{\n    /// <summary>Its value.</summary>\n    public const int Value = {value};\n}}\n";

    private async Task<string> BuildAsync()
    {
        var result = await Cli.Wrap("dotnet").WithArguments(["build", "answers/Answers.csproj", "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly"])
            .WithWorkingDirectory(folder.FullName).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        return Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(folder.FullName, "artifacts", "bin", "Answers", "release", "Answers.dll"))));
    }
}
