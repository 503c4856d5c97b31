using System.Text;

namespace Pipeline.Core.Graph;

/// <summary>Draws the stage graph for a person (an indented tree) or for Markdown renderers (a Mermaid flowchart).</summary>
public static class DagWriter
{
    /// <summary>
    /// The graph as a tree from each stage that reads no other stage's output; a stage reached a second time (it reads
    /// from two stages) is shown again with its subtree left out, so the picture stays a tree.
    /// </summary>
    public static string ToText(PipelineGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder();
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in graph.Stages.Where(s => graph.UpstreamOf(s.Name).IsEmpty))
        {
            text.Append(root.Name).Append('\n');
            shown.Add(root.Name);
            AppendChildren(graph, root.Name, "", shown, text);
        }

        return text.ToString();
    }

    /// <summary>The graph as a Mermaid <c>flowchart TD</c>, one edge per line, stages in run order.</summary>
    public static string ToMermaid(PipelineGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var ids = graph.Stages.Select((s, i) => (s.Name, Id: $"s{i}")).ToDictionary(p => p.Name, p => p.Id, StringComparer.Ordinal);
        var text = new StringBuilder("flowchart TD\n");
        foreach (var stage in graph.Stages)
        {
            // Ids stay plain because stage names may hold characters Mermaid would read as syntax.
            text.Append($"    {ids[stage.Name]}[\"{stage.Name.Replace("\"", "#quot;", StringComparison.Ordinal)}\"]\n");
        }

        foreach (var stage in graph.Stages)
        {
            foreach (var child in graph.DownstreamOf(stage.Name))
            {
                text.Append($"    {ids[stage.Name]} --> {ids[child]}\n");
            }
        }

        return text.ToString();
    }

    private static void AppendChildren(PipelineGraph graph, string stage, string indent, HashSet<string> shown, StringBuilder text)
    {
        var children = graph.DownstreamOf(stage);
        for (var i = 0; i < children.Length; i++)
        {
            var last = i == children.Length - 1;
            var seen = !shown.Add(children[i]);
            text.Append(indent).Append(last ? "└── " : "├── ").Append(children[i]).Append(seen ? " (see above)\n" : "\n");
            if (!seen)
            {
                AppendChildren(graph, children[i], indent + (last ? "    " : "│   "), shown, text);
            }
        }
    }
}
