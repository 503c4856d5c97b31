using Pipeline.Core;
using Pipeline.Core.Graph;
using Pipeline.Core.Stages;
using Pipeline.Reports.Plots;

namespace Pipeline.Reports.Tests;

public sealed class PlotDataTests
{
    [Fact]
    public void Json_rows_are_an_array_of_objects_or_the_first_array_an_object_holds()
    {
        var bare = PlotRows.Parse("[{\"step\": 0, \"loss\": 1.5}]", "a.json", "a.json");
        var held = PlotRows.Parse("{\"name\": \"x\", \"train\": [{\"step\": 0, \"loss\": 1.5}, {\"step\": 1, \"loss\": 1.2}]}", "b.json", "b.json");

        Assert.Equal(1.5, (double)bare.Single()["loss"]!);
        Assert.Equal([0d, 1d], held.Select(r => (double)r["step"]!));
    }

    [Fact]
    public void Csv_and_tsv_rows_read_numbers_as_numbers_and_quoted_values_whole()
    {
        var csv = PlotRows.Parse("actual,predicted,score\r\n\"Moon, \"\"Earth's\"\"\",Mars,0.25\r\nMars,Mars,1e-3\n", "p.csv", "p.csv");
        var tsv = PlotRows.Parse("step\tloss\n1\t0.5\n", "h.tsv", "h.tsv");

        Assert.Equal("Moon, \"Earth's\"", (string?)csv[0]["actual"]);
        Assert.Equal(0.25, (double)csv[0]["score"]!);
        Assert.Equal(0.001, (double)csv[1]["score"]!);
        Assert.Equal(0.5, (double)tsv.Single()["loss"]!);
    }

    [Theory]
    [InlineData("x.json", "{\"loss\": 1", "x.json at main: not valid JSON")]
    [InlineData("x.json", "{\"loss\": 1}", "x.json at main: a plot's JSON is an array of objects, or an object holding one such array")]
    [InlineData("x.csv", "a,b\n1,2\n3\n", "x.csv at main: record 3 has 1 values, the header 2")]
    [InlineData("x.csv", "a,b\n\"1,2\n", "x.csv at main: a quoted value is not closed")]
    public void Malformed_data_is_one_error_naming_the_file_and_version(string path, string text, string expected)
    {
        var error = Assert.Throws<PipelineException>(() => PlotRows.Parse(text, path, $"{path} at main"));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_version_colours_the_y_fields_and_whole_number_steps_get_whole_ticks()
    {
        var plot = new DataPlot("h.json", PlotTemplate.Linear) { X = "epoch", Y = ["loss", "val.loss"] };
        var spec = PlotSpec.Of(plot, [new PlotSeries("workspace", PlotRows.Parse("[{\"epoch\": 1, \"loss\": 2, \"val.loss\": 3}]", "h.json", "h.json"))]);

        Assert.Equal("field", (string?)spec["encoding"]!["color"]!["field"]);
        Assert.Null(spec["encoding"]!["strokeDash"]);
        Assert.Equal("quantitative", (string?)spec["encoding"]!["x"]!["type"]);
        Assert.Equal(1, (int)spec["encoding"]!["x"]!["axis"]!["tickMinStep"]!);
        // A dot in a column's name is escaped: Vega-Lite would read it as a nested field.
        Assert.Equal(["loss", @"val\.loss"], spec["transform"]![0]!["fold"]!.AsArray().Select(f => (string?)f));
    }

    [Fact]
    public void Several_versions_colour_the_versions_and_dash_the_y_fields()
    {
        var plot = new DataPlot("h.json", PlotTemplate.Linear) { X = "epoch", Y = ["loss", "val_loss"] };
        var rows = PlotRows.Parse("[{\"epoch\": 1, \"loss\": 2, \"val_loss\": 3}]", "h.json", "h.json");

        var spec = PlotSpec.Of(plot, [new PlotSeries("main", rows), new PlotSeries("workspace", rows)]);

        Assert.Equal("rev", (string?)spec["encoding"]!["color"]!["field"]);
        Assert.Equal("field", (string?)spec["encoding"]!["strokeDash"]!["field"]);
        Assert.Equal(["main", "workspace"], spec["data"]!["values"]!.AsArray().Select(r => (string?)r!["rev"]));
    }

    [Fact]
    public void A_normalized_confusion_matrix_shows_each_cells_share_of_its_true_class_and_every_class_on_both_axes()
    {
        var plot = new DataPlot("p.csv", PlotTemplate.ConfusionNormalized) { X = "predicted", Y = ["actual"] };
        var rows = PlotRows.Parse("actual,predicted\nEarth,Mars\nMars,Mars\n", "p.csv", "p.csv");

        var spec = PlotSpec.Of(plot, [new PlotSeries("workspace", rows)]);

        Assert.Equal(["Earth", "Mars"], spec["encoding"]!["x"]!["scale"]!["domain"]!.AsArray().Select(c => (string?)c));
        Assert.Equal(["Earth", "Mars"], spec["encoding"]!["y"]!["scale"]!["domain"]!.AsArray().Select(c => (string?)c));
        var text = spec["layer"]![1]!["encoding"]!["text"]!;
        Assert.Equal(("share", ".2f"), ((string?)text["field"], (string?)text["format"]));
        Assert.Equal("datum.count / datum.support", (string?)spec["transform"]![2]!["calculate"]);
    }

    [Theory]
    [InlineData("evaluation/history.png", "x", "y", "stage 'evaluate': data plot 'evaluation/history.png' must be a .json, .csv, .tsv file")]
    [InlineData("evaluation/history.json", "epoch", "", "stage 'evaluate': data plot 'evaluation/history.json' needs an x field and at least one y field")]
    public void A_malformed_data_plot_declaration_is_refused_before_anything_runs(string path, string x, string y, string expected)
    {
        var stage = new StageDefinition("evaluate", CommandLine.Of("true"))
        {
            DataPlots = [new(path, PlotTemplate.Linear) { X = x, Y = y.Length == 0 ? [] : [y] }],
        };

        var error = Assert.Throws<PipelineException>(() => PipelineGraph.Build([stage]));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Two_charts_of_one_data_file_make_one_output()
    {
        var stage = new StageDefinition("evaluate", CommandLine.Of("true"))
        {
            DataPlots = [new("h.json", PlotTemplate.Linear) { Y = ["loss"] }, new("h.json", PlotTemplate.Linear) { Y = ["accuracy"] }],
        };

        Assert.Equal(["h.json"], PipelineGraph.Build([stage]).Stages.Single().AllOutputs);
    }
}
