using Pipeline.Core.Experiments;
using Pipeline.Core.Parameters;

namespace Pipeline.Core.Tests;

/// <summary>Experiment parameters: <c>--set</c> values applied to a parameters file, and sweeps expanded.</summary>
public sealed class ExperimentParameterTests
{
    private const string Params = "# tuned by hand\nprepare:\n  image_size: [32, 32]\ntrain:\n  lr: 0.0001\n  epochs: 5\n  device: auto\n";

    [Fact]
    public void Set_values_are_read_as_yaml_and_only_the_named_keys_change()
    {
        var applied = ParameterOverride.Apply(Params, "params.yaml",
            [new("train.lr", "0.001"), new("prepare.image_size", "[64, 64]"), new("train.device", "cpu")]);

        var values = ParameterSet.Parse(applied, "params.yaml").Values;
        Assert.Equal("0.001", values["train.lr"].ToString());
        Assert.Equal("[64, 64]", values["prepare.image_size"].ToString());
        Assert.Equal("cpu", values["train.device"].ToString());
        Assert.Equal("5", values["train.epochs"].ToString());
    }

    [Fact]
    public void A_sweep_is_the_cartesian_product_in_the_order_given()
    {
        var runs = ParameterSweep.Expand(["train.lr=0.0001,0.001", "train.epochs=range(5,20,5)", "train.device=cpu"]);

        Assert.Equal(
            ["0.0001 5", "0.0001 10", "0.0001 15", "0.001 5", "0.001 10", "0.001 15"],
            runs.Select(r => $"{r[0].Value} {r[1].Value}"));
        Assert.All(runs, r => Assert.Equal(new ParameterOverride("train.device", "cpu"), r[2]));
        Assert.Single(ParameterSweep.Expand(["prepare.image_size=[64, 64]"]));
    }

    [Fact]
    public void Bad_sweeps_and_keys_are_one_line_naming_what_was_expected()
    {
        Assert.Equal("--set train.epochs=range(1,10,0): a range's step must be positive",
            Assert.Throws<PipelineException>(() => ParameterSweep.Expand(["train.epochs=range(1,10,0)"])).Message);
        Assert.Equal("--set train.epochs=range(1;10): expected range(START,STOP) or range(START,STOP,STEP) with whole numbers",
            Assert.Throws<PipelineException>(() => ParameterSweep.Expand(["train.epochs=range(1;10)"])).Message);
        Assert.Equal("params.yaml: --set train.lrr: no such parameter (there are train.lr, train.epochs, train.device)",
            Assert.Throws<PipelineException>(() => ParameterOverride.Apply(Params, "params.yaml", [new("train.lrr", "1")])).Message);
        Assert.Equal("params.yaml: --set train.lr.x: 'train.lr' is a value, not a section",
            Assert.Throws<PipelineException>(() => ParameterOverride.Apply(Params, "params.yaml", [new("train.lr.x", "1")])).Message);
    }
}
