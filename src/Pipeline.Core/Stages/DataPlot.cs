using System.Collections.Immutable;

namespace Pipeline.Core.Stages;

/// <summary>How a <see cref="DataPlot"/> draws its rows.</summary>
public enum PlotTemplate
{
    /// <summary>One line per y field over x (a training history, a learning curve).</summary>
    Linear,

    /// <summary>One point per row and y field.</summary>
    Scatter,

    /// <summary>A heatmap counting the rows of each (x, y) pair: x the predicted class, y the true one; each cell's count written in it.</summary>
    Confusion,

    /// <summary>As <see cref="Confusion"/>, each cell's share of its true class (its row) instead of the count.</summary>
    ConfusionNormalized,
}

/// <summary>
/// A chart drawn from a data file a stage writes (JSON or CSV rows), as DVC's plots are: the <c>Plots</c> target renders
/// it, and <c>PlotsDiff</c> overlays its rows at other revisions and experiments on the same chart. The file is an
/// output of the stage; several charts may draw one file.
/// </summary>
/// <param name="Path">The data file, repository-relative: <c>.json</c> (an array of objects, or an object holding one
/// such array), <c>.csv</c> or <c>.tsv</c> (a header row, then one row per record).</param>
/// <param name="Template">How the rows are drawn.</param>
public sealed record DataPlot(string Path, PlotTemplate Template)
{
    /// <summary>The field on the x axis (for a confusion matrix, the predicted class).</summary>
    public string X { get; init; } = "step";

    /// <summary>The fields drawn against x, at least one (for a confusion matrix, the true class).</summary>
    public ImmutableArray<string> Y { get; init; } = [];

    /// <summary>The chart's title; the file's path when not set.</summary>
    public string? Title { get; init; }

    /// <summary>The x axis' title; <see cref="X"/> when not set.</summary>
    public string? XLabel { get; init; }

    /// <summary>The y axis' title; the y fields when not set.</summary>
    public string? YLabel { get; init; }

    /// <summary>The title the chart shows.</summary>
    public string DisplayTitle => Title ?? Path;

    /// <summary>The file extensions a plot's data may have.</summary>
    public static ImmutableArray<string> DataExtensions { get; } = [".json", ".csv", ".tsv"];
}
