using System.Collections.Immutable;
using Pipeline.Core.Diffs;

namespace Pipeline.Reports;

/// <summary>One plot image as it is at the base revision and in the workspace; either may be missing.</summary>
/// <param name="Name">The plot's path below its plots folder, e.g. <c>confusion_matrix.png</c>.</param>
/// <param name="Base">The base revision's image, relative to the report folder.</param>
/// <param name="Workspace">The workspace's image, relative to the report folder.</param>
public sealed record PlotPair(string Name, string? Base, string? Workspace);

/// <summary>The interactive plots page beside a report.</summary>
/// <param name="File">The page, repository-relative.</param>
/// <param name="Url">Where a reader opens it (a link relative to the report, or a CI run's artifacts); null when it is not published.</param>
public sealed record PlotsPageLink(string File, string? Url);

/// <summary>The recorded experiments run on the branch's commits, as <c>ExpShow</c> prints them.</summary>
/// <param name="Header">The columns: experiment, base, created, status, parameters that differ, metrics.</param>
/// <param name="Rows">One row per experiment.</param>
public sealed record ExperimentList(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>What the experiment report says: the workspace against a base revision.</summary>
/// <param name="Commit">The commit the workspace is at (short form), for the title.</param>
/// <param name="BaseRevision">The revision compared against, as the user named it.</param>
/// <param name="Parameters">Parameter rows that differ.</param>
/// <param name="Metrics">Every metric, old and new.</param>
/// <param name="Plots">Each plot image, base beside workspace.</param>
public sealed record ExperimentReport(
    string Commit,
    string BaseRevision,
    ImmutableArray<DiffRow> Parameters,
    ImmutableArray<DiffRow> Metrics,
    ImmutableArray<PlotPair> Plots)
{
    /// <summary>The experiments of the branch (base commits after the base revision); empty when none is recorded.</summary>
    public ExperimentList Experiments { get; init; } = new([], []);

    /// <summary>The interactive plots page of the stages' plot data, base and workspace on each chart; null when no stage declares data plots.</summary>
    public PlotsPageLink? PlotsPage { get; init; }
}
