using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using YamlDotNet.RepresentationModel;

namespace Planets.Build.Tests;

/// <summary>The GitHub workflows parse, call Cake targets and nothing else, and name only targets that exist.</summary>
public sealed partial class WorkflowTests
{
    private static readonly string[] Workflows = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, ".github", "workflows"), "*.yml");

    [Fact]
    public async Task Every_run_step_calls_a_cake_target_that_exists()
    {
        var targets = await TargetsAsync();
        var runs = Workflows.SelectMany(RunSteps).ToList();

        Assert.NotEmpty(runs);
        foreach (var (workflow, command) in runs)
        {
            var match = CakeCall().Match(command);
            Assert.True(match.Success, $"{workflow}: '{command}' is not a call of ./build.sh or dotnet cake");
            var target = match.Groups["target"].Success ? match.Groups["target"].Value : "Repro";
            Assert.True(targets.Contains(target), $"{workflow}: target '{target}' does not exist; the targets are {string.Join(", ", targets)}");
        }
    }

    [Fact]
    public void The_pull_request_workflow_tests_trains_in_a_pod_when_a_cluster_is_configured_reproduces_pushes_and_publishes_the_report()
    {
        var commands = RunSteps(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "pull-request.yml")).Select(r => r.Command).ToList();

        Assert.Equal(
            [
                "./build.sh --target=Test",
                "./build.sh --target=ContainerizeTraining",
                "./build.sh --target=PushImage --image=training --registry=$IMAGE_REGISTRY",
                "./build.sh --target=TrainRemote --pull --namespace=$TRAINING_NAMESPACE",
                "./build.sh --target=Repro --pull",
                "./build.sh --target=Push",
                "./build.sh --target=Report --rev=origin/main --publish",
            ],
            commands);
    }

    [Fact]
    public void The_main_workflow_reproduces_then_builds_pushes_and_deploys_the_service_image()
    {
        var commands = RunSteps(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "main.yml")).Select(r => r.Command).ToList();

        Assert.Equal(
            [
                "./build.sh --target=Test",
                "./build.sh --target=Repro --pull",
                "./build.sh --target=Push",
                "./build.sh --target=Containerize",
                "./build.sh --target=PushImage --registry=$IMAGE_REGISTRY",
                "./build.sh --target=Deploy --namespace=$DEPLOY_NAMESPACE",
            ],
            commands);
    }

    private static IEnumerable<(string Workflow, string Command)> RunSteps(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var jobs = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["jobs"];
        return jobs.Children.Values.Cast<YamlMappingNode>()
            .SelectMany(job => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>())
            .Where(step => step.Children.ContainsKey("run"))
            .SelectMany(step => ((YamlScalarNode)step["run"]).Value!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(command => (Path.GetFileName(path), command));
    }

    private static async Task<HashSet<string>> TargetsAsync()
    {
        var result = await Cli.Wrap("dotnet").WithArguments(["cake", "--description"]).WithWorkingDirectory(RepositoryPaths.Root)
            .ExecuteBufferedAsync();
        return [.. ConsoleText.Plain(result.StandardOutput).Split('\n').Select(line => TaskLine().Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value)];
    }

    [GeneratedRegex(@"^(\./build\.sh|dotnet cake)(\s+--target=(?<target>\S+))?(\s+--\S+)*$")]
    private static partial Regex CakeCall();

    [GeneratedRegex(@"^  (?<name>[A-Za-z][\w-]*)\s{2,}")]
    private static partial Regex TaskLine();
}
