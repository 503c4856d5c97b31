using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Planets.Build.Tests;

/// <summary>The architecture the README draws is the one the projects have: each project's references, exactly.</summary>
public sealed partial class ArchitectureTests
{
    [Fact]
    public void The_readme_dependency_block_lists_each_product_project_with_exactly_its_project_references()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var block = Block().Match(readme);
        Assert.True(block.Success, "README.md has no ```text block of 'Project -> references' lines");
        var drawn = block.Groups["lines"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split("->", StringSplitOptions.TrimEntries))
            .ToDictionary(parts => parts[0], parts => References(parts[1]));

        var projects = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Append(Path.Combine(RepositoryPaths.Root, "build", "Planets.Build.csproj"))
            .ToDictionary(path => Path.GetFileNameWithoutExtension(path), ProjectReferences);

        Assert.Equal(projects.Keys.Order(StringComparer.Ordinal), drawn.Keys.Order(StringComparer.Ordinal));
        foreach (var (project, references) in projects)
        {
            Assert.True(references.SetEquals(drawn[project]), $"{project}: README draws [{string.Join(", ", drawn[project].Order())}], the project references [{string.Join(", ", references.Order())}]");
        }
    }

    [Fact]
    public void The_engine_knows_no_adapter_and_the_cake_adapter_no_kind_of_remote_or_report_publisher()
    {
        string[] adapters = ["Pipeline.Remotes.S3", "Pipeline.GitHub", "Pipeline.Containers", "Pipeline.Kubernetes"];
        foreach (var project in new[] { "Pipeline.Storage", "Pipeline.Core", "Pipeline.Remotes", "Pipeline.Reports", "Pipeline.Cake", "Pipeline.Cli", "Pipeline.Models", "Pipeline.Programs" })
        {
            var references = Transitive(project);
            Assert.True(!references.Overlaps(adapters), $"{project} reaches {string.Join(", ", references.Intersect(adapters))}");
        }
    }

    private static HashSet<string> References(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static HashSet<string> ProjectReferences(string csproj) =>
        [.. XDocument.Load(csproj).Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!))];

    private static HashSet<string> Transitive(string project)
    {
        var found = new HashSet<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            foreach (var reference in ProjectReferences(Path.Combine(RepositoryPaths.Root, "src", next, $"{next}.csproj")))
            {
                if (found.Add(reference))
                {
                    pending.Push(reference);
                }
            }
        }

        return found;
    }

    [GeneratedRegex(@"```text\n(?<lines>(?:[\w.]+ +->[^\n]*\n)+)```")]
    private static partial Regex Block();
}
