using Pipeline.Core.Graph;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Tests;

public sealed class GraphTests
{
    private static StageDefinition Stage(string name, string[] deps, string[] outs) =>
        new(name, CommandLine.Of("true")) { Dependencies = [.. deps], Outputs = [.. outs] };

    [Fact]
    public void Stages_are_ordered_so_that_each_follows_the_stages_it_reads_from()
    {
        var graph = PipelineGraph.Build(
        [
            Stage("evaluate", ["model", "data/prepared"], ["metrics.json"]),
            Stage("train", ["data/prepared/train.bin"], ["model"]),
            Stage("prepare", ["data/raw"], ["data/prepared"]),
        ]);

        Assert.Equal(["prepare", "train", "evaluate"], graph.Stages.Select(s => s.Name));
        Assert.Equal(["train", "prepare"], graph.UpstreamOf("evaluate").ToList());
        Assert.Equal(["prepare", "train"], graph.WithUpstream("train").Select(s => s.Name));
    }

    [Fact]
    public void A_cycle_is_rejected_with_the_stages_on_it()
    {
        var error = Assert.Throws<PipelineException>(() => PipelineGraph.Build(
        [
            Stage("a", ["c.out"], ["a.out"]),
            Stage("b", ["a.out"], ["b.out"]),
            Stage("c", ["b.out"], ["c.out"]),
        ]));

        Assert.Equal("cycle in the pipeline: a -> c -> b -> a (each stage reads the output of the next)", error.Message);
    }

    [Fact]
    public void A_stage_reading_its_own_output_is_a_cycle()
    {
        var error = Assert.Throws<PipelineException>(() => PipelineGraph.Build([Stage("a", ["out/x"], ["out"])]));

        Assert.Contains("cycle in the pipeline: stage 'a' depends on its own output", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model", "model")]
    [InlineData("model", "model/weights.pt")]
    public void Two_stages_writing_one_output_are_rejected(string first, string second)
    {
        var error = Assert.Throws<PipelineException>(() => PipelineGraph.Build(
        [
            Stage("train", [], [first]),
            Stage("finetune", [], [second]),
        ]));

        Assert.Equal($"stages 'train' and 'finetune' both write '{first}'; an output belongs to one stage", error.Message);
    }

    [Fact]
    public void An_unknown_stage_lists_the_stages_there_are()
    {
        var graph = PipelineGraph.Build([Stage("prepare", [], ["p"]), Stage("train", ["p"], ["m"])]);

        var error = Assert.Throws<PipelineException>(() => graph.Find("trian"));

        Assert.Equal("unknown stage 'trian'; the stages are: prepare, train", error.Message);
    }
}
