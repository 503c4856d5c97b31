using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Planets.Build.Tests.Workflows;

/// <summary>One step of a job as the runner would start it: its condition held, its expressions evaluated.</summary>
/// <param name="Name">The step's name, or what it runs or uses.</param>
/// <param name="Uses">The action it uses, or null for a <c>run:</c> step.</param>
/// <param name="With">The action's inputs.</param>
/// <param name="Run">The script of a <c>run:</c> step (expressions in it evaluated).</param>
/// <param name="Environment">The variables the step gets from the workflow, the job and itself.</param>
/// <param name="Always">Whether it runs after an earlier step failed too (<c>if: always()</c>).</param>
internal sealed record PlannedStep(
    string Name, string? Uses, IReadOnlyDictionary<string, string> With, string? Run, IReadOnlyDictionary<string, string> Environment, bool Always = false);

/// <summary>
/// Which steps of a job run, and with what, for an event, its secrets and variables: the runner's own decisions (the
/// <c>if:</c> conditions, the <c>env:</c> levels, every <c>${{ }}</c>), taken before anything runs.
/// </summary>
internal static class WorkflowPlan
{
    /// <summary>The steps of <paramref name="job"/> in <paramref name="workflowFile"/> that run, in order.</summary>
    /// <param name="workflowFile">The workflow.</param>
    /// <param name="job">The job's id.</param>
    /// <param name="contexts">The <c>github</c>, <c>vars</c>, <c>secrets</c> and <c>runner</c> contexts.</param>
    /// <param name="workspace">The checkout, for <c>hashFiles</c>.</param>
    public static IReadOnlyList<PlannedStep> For(string workflowFile, string job, JsonObject contexts, string workspace)
    {
        var workflow = Load(workflowFile);
        var jobNode = (YamlMappingNode)((YamlMappingNode)workflow["jobs"])[job];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var expressions = new WorkflowExpression(contexts, workspace);
        contexts["env"] = new JsonObject();
        Merge(environment, workflow, expressions, contexts);
        Merge(environment, jobNode, expressions, contexts);
        var steps = new List<PlannedStep>();
        foreach (var step in ((YamlSequenceNode)jobNode["steps"]).Children.Cast<YamlMappingNode>())
        {
            SetEnv(contexts, environment);
            // always() is decided as the job runs (the step runs even after a failure); any other condition now.
            var always = Scalar(step, "if") == "always()";
            if (!always && !expressions.Holds(Scalar(step, "if")))
            {
                continue;
            }

            var stepEnvironment = new Dictionary<string, string>(environment, StringComparer.Ordinal);
            Merge(stepEnvironment, step, expressions, contexts);
            var with = step.Children.TryGetValue("with", out var inputs)
                ? ((YamlMappingNode)inputs).Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => expressions.Interpolate(((YamlScalarNode)kv.Value).Value!), StringComparer.Ordinal)
                : [];
            var run = Scalar(step, "run") is { } script ? expressions.Interpolate(script) : null;
            var uses = Scalar(step, "uses");
            steps.Add(new PlannedStep(Scalar(step, "name") ?? run ?? uses!, uses, with, run, stepEnvironment, always));
        }

        return steps;
    }

    // A level's env: its values evaluated with the env context of the levels above, then visible to the levels below.
    private static void Merge(Dictionary<string, string> environment, YamlMappingNode level, WorkflowExpression expressions, JsonObject contexts)
    {
        if (!level.Children.TryGetValue("env", out var node))
        {
            return;
        }

        SetEnv(contexts, environment);
        foreach (var (key, value) in ((YamlMappingNode)node).Children)
        {
            environment[((YamlScalarNode)key).Value!] = expressions.Interpolate(((YamlScalarNode)value).Value!);
        }
    }

    private static void SetEnv(JsonObject contexts, Dictionary<string, string> environment) =>
        contexts["env"] = new JsonObject(environment.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value : null;

    /// <summary>The workflow file's top-level mapping.</summary>
    public static YamlMappingNode Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }
}
