using System.Diagnostics;
using System.Text.Json;
using Cake.Common.Diagnostics;
using Cake.Core;
using Pipeline.Annotations;
using Pipeline.Cake;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Stages;
using Planets.Build.Stages;

namespace Planets.Build.Targets;

/// <summary>
/// Labeling and retraining: <c>Label</c> serves the labeling page over a folder of new images, and
/// <c>ImportAnnotations</c> files an export's labelled images in <see cref="Annotated"/>, tracked, which
/// <c>prepare</c> adds to the training set from the next <c>Repro</c> on.
/// </summary>
internal static class LabelingTargets
{
    /// <summary>The tracked folder of annotated images, one sub-folder per class.</summary>
    public const string Annotated = "data/annotated";

    /// <summary>The variable holding the Label Studio access token images are downloaded with (as Label Studio's SDK reads it).</summary>
    public const string TokenVariable = "LABEL_STUDIO_API_KEY";

    /// <summary>Where the labeling page writes its Label Studio JSON export (the JSON-MIN one goes beside it).</summary>
    public const string DefaultExport = "labeling/annotations.json";

    // Where scripts/setup-labeling.sh installs the Label Studio editor.
    private const string Editor = "artifacts/label-studio-editor";

    public static void Register(Func<string, CakeTaskBuilder> task, IReadOnlyList<IStage> stages)
    {
        task("Label")
            .Description($"Serves the labeling page on --images=PATH: each image pre-labelled by the model, least confident first, in the Label Studio editor (--out=EXPORT, default {DefaultExport}; --model, --urls)")
            .Does(LabelAsync);
        task("ImportAnnotations")
            .Description("Files a Label Studio export's labelled images (--file=EXPORT, JSON or JSON-MIN; --images=DIR, --label-studio-host=URL, --on-disagreement) in data/annotated and tracks it")
            .Does(context => context.ImportAnnotations(SettingsOf(context), stages));
    }

    private static async Task LabelAsync(ICakeContext context)
    {
        var options = new TargetOptions(context);
        var images = options.Text("images") ?? throw new PipelineException("Label: --images=PATH is required (the folder of images to label)");
        if (!Directory.Exists(images))
        {
            throw new PipelineException($"Label: --images={images}: no such folder");
        }

        await InstallEditorAsync(context);
        var urls = options.Text("urls", null, "http://127.0.0.1:3000")!;
        var export = options.Text("out", null, DefaultExport)!;
        context.Information($"Labeling page: {urls.Split(';')[0].TrimEnd('/')}/label; exports {export} and its .min.json; Ctrl+C stops it");
        await ServeTarget.RunAsync(context, "label", "--images", images, "--out", export, "--editor", Editor, "--model", options.Text("model", null, "latest")!, "--urls", urls);
    }

    // The project's own set-up installs the editor; run it here when that has not happened yet.
    private static async Task InstallEditorAsync(ICakeContext context)
    {
        var root = context.Environment.WorkingDirectory.FullPath;
        if (File.Exists(Path.Combine(root, Editor, "js", "main.js")))
        {
            return;
        }

        using var setup = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "setup-labeling.sh")]) { WorkingDirectory = root })
            ?? throw new PipelineException("Label: cannot run scripts/setup-labeling.sh (bash)");
        await setup.WaitForExitAsync(RunStopping.Token);
        if (setup.ExitCode != 0)
        {
            throw new PipelineException("Label: the Label Studio editor could not be installed (scripts/setup-labeling.sh said why above)");
        }
    }

    private static AnnotationImportSettings SettingsOf(ICakeContext context)
    {
        var options = new TargetOptions(context);
        var export = options.Text("file") ?? throw new PipelineException("ImportAnnotations: --file=EXPORT is required (a Label Studio JSON or JSON-MIN export)");
        var host = options.Text("label-studio-host");
        return new AnnotationImportSettings
        {
            ExportFile = export,
            Destination = Annotated,
            Classes = Classes(context.Environment.WorkingDirectory.FullPath),
            Fields = new ExportFields { ImageField = options.Text("image-field"), Control = options.Text("control") },
            OnDisagreement = Enum.Parse<DisagreementRule>(options.Choice("on-disagreement", "skip", "skip", "majority", "latest"), ignoreCase: true),
            Locations = new ImageLocations
            {
                ExportFolder = Path.GetDirectoryName(Path.GetFullPath(export)) ?? ".",
                ImagesFolder = options.Text("images"),
                LabelStudioHost = host is null ? null
                    : Uri.TryCreate(host, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
                    : throw new PipelineException($"--label-studio-host: '{host}' is not an http(s) URL such as http://localhost:8080"),
                AccessToken = Environment.GetEnvironmentVariable(TokenVariable),
            },
        };
    }

    // The classes the model is trained on: what prepare found in the raw data.
    private static string[] Classes(string root)
    {
        var labels = Path.Combine(root, PrepareStage.Prepared, "labels.json");
        return File.Exists(labels)
            ? JsonSerializer.Deserialize<string[]>(File.ReadAllText(labels)) ?? []
            : throw new PipelineException($"{PrepareStage.Prepared}/labels.json not found: run Repro first (the classes an annotation may choose are the prepared data's)");
    }
}
