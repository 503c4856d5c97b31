using System.Collections.Immutable;

namespace Pipeline.Core.Stages;

/// <summary>
/// What a stage is: the command it runs, what it reads (dependencies and parameters) and what it writes.
/// Paths are relative to the repository root and use <c>/</c>.
/// </summary>
/// <param name="Name">The stage's name, also the name of its Cake task.</param>
/// <param name="Command">The program the stage runs, from the repository root.</param>
public sealed record StageDefinition(string Name, CommandLine Command)
{
    /// <summary>Files and folders the stage reads, including the code or tool it runs.</summary>
    public ImmutableArray<string> Dependencies { get; init; } = [];

    /// <summary>Keys of <c>params.yaml</c> the stage reads; a section name stands for every key below it.</summary>
    public ImmutableArray<string> Parameters { get; init; } = [];

    /// <summary>Files and folders the stage writes; they are cached and restored from the cache.</summary>
    public ImmutableArray<string> Outputs { get; init; } = [];

    /// <summary>JSON metrics files the stage writes (outputs too).</summary>
    public ImmutableArray<string> Metrics { get; init; } = [];

    /// <summary>Plot images the stage writes (outputs too).</summary>
    public ImmutableArray<string> Plots { get; init; } = [];

    /// <summary>Charts drawn from data files the stage writes (the files are outputs too).</summary>
    public ImmutableArray<DataPlot> DataPlots { get; init; } = [];

    /// <summary>
    /// The program the command runs, when it is built from sources in the repository: it is rebuilt before the stage
    /// runs whenever its sources changed since its last build. Its sources that can change the outputs belong in
    /// <see cref="Dependencies"/> too.
    /// </summary>
    public StageProgram? Program { get; init; }

    /// <summary>Everything the stage writes: outputs, metrics, plot images and plot data files.</summary>
    public IEnumerable<string> AllOutputs => Outputs.Concat(Metrics).Concat(Plots).Concat(DataPlots.Select(p => p.Path).Distinct(StringComparer.Ordinal));
}
