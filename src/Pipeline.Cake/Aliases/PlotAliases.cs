using Cake.Core;
using Cake.Core.Annotations;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;
using Pipeline.Reports.Plots;

namespace Pipeline.Cake;

/// <summary>
/// The plots page from a build script, as <c>dvc plots show</c> and <c>dvc plots diff</c>: one HTML file with every
/// stage's data plots as interactive Vega-Lite charts (other revisions' and experiments' rows on the same charts) and
/// its image plots side by side; it carries its scripts and data, so it opens offline. The ready-made <c>Plots</c> and
/// <c>PlotsDiff</c> targets are this alias with the command line's options.
/// </summary>
[CakeAliasCategory("Pipeline reports")]
public static class PlotAliases
{
    /// <summary>Writes the plots page of the workspace, compared with <see cref="PlotsSettings.Versions"/>.</summary>
    /// <example><code>WritePlots(stages, new PlotsSettings { Versions = ["main"], OutputFile = "plots/index.html" });</code></example>
    /// <returns>What the page shows.</returns>
    [CakeMethodAlias]
    public static PlotsPageSummary WritePlots(this ICakeContext context, IEnumerable<IStage> stages, PlotsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var graph = WorkspaceAliases.GraphOf(stages);
        return PipelineSession.UseAsync(context, async session =>
        {
            var workspace = await session.OpenAsync(context, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            var builder = new PlotsPageBuilder(workspace, new GitRepository(workspace.Root), log);
            var page = await builder.WriteAsync(graph.Stages, settings.Versions, workspace.Resolve(settings.OutputFile), RunStopping.Token);
            log.Information($"Wrote {settings.OutputFile}: {page.Charts} charts and {page.Images} images of {string.Join(" vs. ", page.Versions)}");
            return page;
        }).GetAwaiter().GetResult();
    }
}

/// <summary>What <see cref="PlotAliases.WritePlots"/> compares and where it writes.</summary>
public sealed record PlotsSettings
{
    /// <summary>Git revisions or experiment names whose plots join the workspace's; empty for the workspace's alone.</summary>
    public IReadOnlyList<string> Versions { get; init; } = [];

    /// <summary>The HTML file, repository-relative.</summary>
    public string OutputFile { get; init; } = "plots/index.html";
}
