using Pipeline.Core.Graph;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Tests;

public sealed class DagTests
{
    private static readonly PipelineGraph Graph = PipelineGraph.Build(
    [
        Stage("generate", [], ["data/raw"]),
        Stage("prepare", ["data/raw"], ["data/prepared"]),
        Stage("train", ["data/prepared"], ["model"]),
        Stage("evaluate", ["model", "data/prepared"], ["metrics.json"]),
        Stage("report", ["metrics.json"], ["report.md"]),
    ]);

    private static StageDefinition Stage(string name, string[] deps, string[] outs) =>
        new(name, CommandLine.Of("true")) { Dependencies = [.. deps], Outputs = [.. outs] };

    [Fact]
    public void Downstream_of_a_stage_is_everything_that_reads_its_outputs_directly_or_not()
    {
        Assert.Equal(["train", "evaluate"], Graph.DownstreamOf("prepare").ToList());
        Assert.Equal(["train", "evaluate", "report"], Graph.WithDownstream("train").Select(s => s.Name));
        Assert.Throws<PipelineException>(() => Graph.WithDownstream("trian"));
    }

    [Fact]
    public void The_text_graph_is_a_tree_that_marks_a_stage_seen_twice()
    {
        Assert.Equal(
            """
            generate
            └── prepare
                ├── train
                │   └── evaluate
                │       └── report
                └── evaluate (see above)

            """.ReplaceLineEndings("\n"),
            DagWriter.ToText(Graph));
    }

    [Fact]
    public void The_mermaid_graph_is_a_flowchart_with_one_edge_per_line()
    {
        var mermaid = DagWriter.ToMermaid(Graph);

        Assert.StartsWith("flowchart TD\n    s0[\"generate\"]\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("    s1 --> s2\n    s1 --> s3\n", mermaid, StringComparison.Ordinal);
        Assert.Equal(5, mermaid.Split('\n').Count(l => l.Contains("-->", StringComparison.Ordinal)));
    }
}
