using System.Text.Json;
using Cake.Core;
using Pipeline.Annotations;
using Pipeline.Cake;
using Pipeline.Core;
using Pipeline.Core.Stages;
using Planets.Build.Stages;

namespace Planets.Build.Targets;

/// <summary>
/// <c>ImportAnnotations</c>: a Label Studio export's labelled images go into <see cref="Annotated"/>, tracked, and
/// <c>prepare</c> adds them to the training set from the next <c>Repro</c> on.
/// </summary>
internal static class LabelingTargets
{
    /// <summary>The tracked folder of annotated images, one sub-folder per class.</summary>
    public const string Annotated = "data/annotated";

    /// <summary>The variable holding the Label Studio access token images are downloaded with (as Label Studio's SDK reads it).</summary>
    public const string TokenVariable = "LABEL_STUDIO_API_KEY";

    public static void Register(Func<string, CakeTaskBuilder> task, IReadOnlyList<IStage> stages) =>
        task("ImportAnnotations")
            .Description("Files a Label Studio export's labelled images (--file=EXPORT, JSON or JSON-MIN; --images=DIR, --label-studio-host=URL, --on-disagreement) in data/annotated and tracks it")
            .Does(context => context.ImportAnnotations(SettingsOf(context), stages));

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
