using Pipeline.Core.Parameters;

namespace Pipeline.Core.Tests;

public sealed class ParameterTests
{
    private const string Yaml = """
        prepare:
          seed: 77
          image_size: [32, 32]
          grayscale: true
        train:
          lr: 1e-4
          epochs: 5
          device: auto
        """;

    [Fact]
    public void Sections_flatten_to_dotted_keys_with_typed_values()
    {
        var set = ParameterSet.Parse(Yaml, "params.yaml");

        Assert.Equal(77L, set.Values["prepare.seed"].Scalar);
        Assert.Equal(true, set.Values["prepare.grayscale"].Scalar);
        Assert.Equal("[32, 32]", set.Values["prepare.image_size"].ToString());
        Assert.Equal(ParameterValue.Of(0.0001), set.Values["train.lr"]);
        Assert.Equal("auto", set.Values["train.device"].Scalar);
    }

    [Fact]
    public void A_section_selects_every_key_below_it_and_a_key_selects_itself()
    {
        var set = ParameterSet.Parse(Yaml, "params.yaml");

        Assert.Equal(["train.device", "train.epochs", "train.lr"], set.Select("train", ["train"]).Keys);
        Assert.Equal(["prepare.seed"], set.Select("prepare", ["prepare.seed"]).Keys);
    }

    [Fact]
    public void An_undefined_key_names_the_file_the_stage_and_the_key()
    {
        var set = ParameterSet.Parse(Yaml, "params.yaml");

        var error = Assert.Throws<PipelineException>(() => set.Select("train", ["train.momentum"]));

        Assert.Equal("params.yaml: stage 'train' reads parameter 'train.momentum', which is not defined", error.Message);
    }

    [Theory]
    [InlineData("train:\n  epochs: 5\n   lr: 3\n", "params.yaml: line 3")]
    [InlineData("train: [1, 2\n", "params.yaml: line")]
    [InlineData("- just\n- a list\n", "params.yaml: expected a mapping of parameter names at the top level")]
    public void Malformed_yaml_is_one_line_naming_the_file_and_position(string yaml, string expected)
    {
        var error = Assert.Throws<PipelineException>(() => ParameterSet.Parse(yaml, "params.yaml"));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
