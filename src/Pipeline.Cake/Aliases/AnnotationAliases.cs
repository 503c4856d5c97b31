using Cake.Core;
using Cake.Core.Annotations;
using Pipeline.Annotations;
using Pipeline.Core.Execution;
using Pipeline.Core.Stages;
using Pipeline.Core.Tracking;

using static Pipeline.Cake.Amounts;

namespace Pipeline.Cake;

/// <summary>
/// Annotations into tracked training data, from a build script: a Label Studio export's labelled images are filed
/// under their classes in a dataset folder, which is then tracked (<see cref="WorkspaceAliases.AddData"/>), so the
/// next <c>Repro</c> trains on them and <c>Push</c> shares them.
/// </summary>
[CakeAliasCategory("Pipeline annotations")]
public static class AnnotationAliases
{
    // One client for the run: downloads share its connections.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    /// <summary>Imports a Label Studio export (JSON or JSON-MIN) into <see cref="AnnotationImportSettings.Destination"/> and tracks that folder.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="settings">The export, the destination and the classes.</param>
    /// <param name="stages">The pipeline's stages (the destination must be no stage's output).</param>
    /// <example><code>ImportAnnotations(new AnnotationImportSettings { ExportFile = "labels.json", Destination = "data/annotated", Classes = classes }, stages);</code></example>
    /// <exception cref="AnnotationException">Nothing was written: the export, a class or an image is not usable.</exception>
    [CakeMethodAlias]
    public static AnnotationImportResult ImportAnnotations(this ICakeContext context, AnnotationImportSettings settings, IEnumerable<IStage> stages)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var root = context.Environment.WorkingDirectory.FullPath;
        var destination = Path.GetRelativePath(root, Path.GetFullPath(settings.Destination, root)).Replace('\\', '/');
        var result = AnnotationImport.RunAsync(settings with { Destination = Path.Combine(root, destination) }, Http, RunStopping.Token).GetAwaiter().GetResult();
        var log = new CakePipelineLog(context.Log);
        foreach (var disagreement in result.Decisions.Disagreements)
        {
            log.Warning($"Annotators disagree, image left out: {disagreement} (--on-disagreement=majority or latest settles it)");
        }

        foreach (var moved in result.Relabelled)
        {
            log.Information($"Relabelled {moved}");
        }

        var decisions = result.Decisions;
        log.Information($"Imported {settings.ExportFile}: {Count(result.Added.Count, "image")} added, {result.Relabelled.Count} relabelled, {result.Unchanged} already there; "
            + $"left out: {decisions.Disagreements.Count} disputed, {Count(decisions.Cancelled, "cancelled annotation")}, {decisions.Unlabelled} unlabelled");
        if (result.Changed || !File.Exists(Path.Combine(root, PointerFile.PointerPathOf(destination))))
        {
            context.AddData(destination, stages);
        }

        return result;
    }
}
