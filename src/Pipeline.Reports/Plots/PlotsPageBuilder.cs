using System.Collections.Immutable;
using System.Text;
using Pipeline.Core;
using Pipeline.Core.Diffs;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;
using Pipeline.Core.Workspace;
using Pipeline.Storage;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

namespace Pipeline.Reports.Plots;

/// <summary>What a plots page shows.</summary>
/// <param name="Path">The page's file.</param>
/// <param name="Versions">The versions compared, in the page's order (the workspace last).</param>
/// <param name="Charts">How many charts it draws from plot data.</param>
/// <param name="Images">How many image plots it shows.</param>
public sealed record PlotsPageSummary(string Path, ImmutableArray<string> Versions, int Charts, int Images);

/// <summary>
/// Writes the plots page, as <c>dvc plots show</c> and <c>dvc plots diff</c> do: every stage's data plots drawn as
/// interactive Vega-Lite charts, the rows of other revisions and experiments on the same charts as the workspace's,
/// and every image plot beside its other versions. A version that lacks a file (not recorded, or not in the cache)
/// is left out of that chart with a note and a warning; the workspace's own files must be valid.
/// </summary>
/// <param name="workspace">The repository.</param>
/// <param name="git">Its git repository.</param>
/// <param name="log">Where versions left out are reported.</param>
public sealed class PlotsPageBuilder(PipelineWorkspace workspace, GitRepository git, IPipelineLog log)
{
    /// <summary>The name the workspace's version has on the page.</summary>
    public const string WorkspaceVersion = "workspace";

    private readonly RecordedFiles files = new(workspace, git);

    /// <summary>Writes the page to <paramref name="outputFile"/> (atomically) for <paramref name="versions"/> and the workspace.</summary>
    /// <param name="stages">The pipeline's stages.</param>
    /// <param name="versions">Git revisions or experiment names to compare the workspace with; none for the workspace alone.</param>
    /// <param name="outputFile">The HTML file.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="PipelineException">A version does not exist, or a workspace plot file is malformed.</exception>
    public async Task<PlotsPageSummary> WriteAsync(
        IReadOnlyList<StageDefinition> stages, IReadOnlyList<string> versions, string outputFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(versions);
        var scripts = await VegaScripts.LoadAsync(cancellationToken);
        var recorded = new List<RecordedVersion>();
        foreach (var name in versions.Distinct(StringComparer.Ordinal))
        {
            recorded.Add(await files.FindAsync(name, cancellationToken));
        }

        var charts = new List<ChartView>();
        // Charts drawing one file (loss and accuracy of one history) read each version's copy once.
        var texts = new Dictionary<(string Version, string Path), string?>();
        foreach (var plot in stages.SelectMany(s => s.DataPlots))
        {
            charts.Add(await ChartAsync(plot, recorded, texts, cancellationToken));
        }

        var images = await ImagesAsync(stages.SelectMany(s => s.Plots).ToList(), recorded, cancellationToken);
        List<string> names = [.. recorded.Select(r => r.Name), WorkspaceVersion];
        var html = PlotsHtml.Render(new PageText("Plots", names, "", "No stage declares plots."), charts, images, scripts);
        await AtomicFile.WriteAllBytesAsync(outputFile, Encoding.UTF8.GetBytes(html), cancellationToken);
        return new PlotsPageSummary(outputFile, [.. names], charts.Count, images.Count);
    }

    private async Task<ChartView> ChartAsync(
        DataPlot plot, IReadOnlyList<RecordedVersion> versions, Dictionary<(string Version, string Path), string?> texts, CancellationToken cancellationToken)
    {
        List<string> fields = [plot.X, .. plot.Y];
        var series = new List<PlotSeries>();
        var notes = new List<string>();
        foreach (var version in versions)
        {
            var displayName = $"{plot.Path} at {version.Name}";
            try
            {
                var text = await OnceAsync(texts, (version.Name, plot.Path), () => files.ReadTextAsync(version, plot.Path, cancellationToken));
                if (text is null)
                {
                    notes.Add($"{version.Name}: no {plot.Path} recorded");
                    continue;
                }

                var rows = PlotRows.Parse(text, plot.Path, displayName);
                PlotRows.RequireFields(rows, fields, displayName, plot.DisplayTitle);
                series.Add(new PlotSeries(version.Name, rows));
            }
            catch (Exception e) when (e is PipelineException or MissingObjectException or CorruptObjectException)
            {
                notes.Add($"{version.Name}: {e.Message}");
            }
        }

        series.Add(new PlotSeries(WorkspaceVersion, await WorkspaceRowsAsync(plot, fields, texts, cancellationToken)));
        foreach (var note in notes)
        {
            log.Warning($"Plot '{plot.DisplayTitle}' leaves out {note}");
        }

        return new ChartView(plot.DisplayTitle, plot.Path, PlotSpec.Of(plot, series), notes);
    }

    private async Task<IReadOnlyList<System.Text.Json.Nodes.JsonObject>> WorkspaceRowsAsync(
        DataPlot plot, IReadOnlyList<string> fields, Dictionary<(string Version, string Path), string?> texts, CancellationToken cancellationToken)
    {
        var path = workspace.Resolve(plot.Path);
        if (!File.Exists(path))
        {
            throw new PipelineException($"{plot.Path}: no such file in the workspace; run the pipeline (Repro) to write it");
        }

        var text = await OnceAsync(texts, (WorkspaceVersion, plot.Path), async () => await File.ReadAllTextAsync(path, cancellationToken));
        var rows = PlotRows.Parse(text!, plot.Path, plot.Path);
        PlotRows.RequireFields(rows, fields, plot.Path, plot.DisplayTitle);
        return rows;
    }

    private static async Task<string?> OnceAsync(Dictionary<(string Version, string Path), string?> texts, (string Version, string Path) key, Func<Task<string?>> read)
    {
        if (!texts.TryGetValue(key, out var text))
        {
            text = await read();
            texts[key] = text;
        }

        return text;
    }

    // Each image below the image plot paths, in every version that has it: from the workspace, or the versions' cache.
    private async Task<IReadOnlyList<ImageView>> ImagesAsync(IReadOnlyList<string> plotPaths, IReadOnlyList<RecordedVersion> versions, CancellationToken cancellationToken)
    {
        var byVersion = new List<(string Version, IReadOnlyDictionary<string, string> Images)>();
        foreach (var version in versions)
        {
            byVersion.Add((version.Name, await RecordedImagesAsync(version, plotPaths, cancellationToken)));
        }

        byVersion.Add((WorkspaceVersion, await ImageFiles.DataUrisAsync(workspace.Root, plotPaths, cancellationToken)));
        return
        [
            .. byVersion.SelectMany(v => v.Images.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(name => new ImageView(name, [.. byVersion.Select(v => (v.Version, v.Images.GetValueOrDefault(name)))])),
        ];
    }

    private async Task<IReadOnlyDictionary<string, string>> RecordedImagesAsync(RecordedVersion version, IReadOnlyList<string> plotPaths, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-plots-").FullName;
        try
        {
            foreach (var plot in plotPaths)
            {
                var output = version.LockFile.Stages.Values.SelectMany(s => s.Outputs).FirstOrDefault(o => o.Path == plot);
                if (output is not null)
                {
                    await RestoreAsync(version.Name, plot, output.Content.Hash, Path.Combine(folder, plot), cancellationToken);
                }
            }

            return await ImageFiles.DataUrisAsync(folder, plotPaths, cancellationToken);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task RestoreAsync(string version, string plot, ContentHash hash, string target, CancellationToken cancellationToken)
    {
        try
        {
            await workspace.Checkout.RestoreAsync(hash, target, cancellationToken);
        }
        catch (Exception e) when (e is MissingObjectException or CorruptObjectException)
        {
            log.Warning($"{plot} at {version}: {e.Message}; the page shows no image of it for {version} (pull the cache first)");
        }
    }
}
