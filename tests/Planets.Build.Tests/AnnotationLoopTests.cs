using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;

namespace Planets.Build.Tests;

/// <summary>
/// Label new images, then retrain, with the real <c>dotnet cake</c> in a copy of the repository: <c>Label</c> serves the
/// new images pre-labelled, each is annotated through the page's own API, the page's export is imported into tracked
/// data, <c>Repro</c> retrains on it, and the report shows what the new data did.
/// </summary>
public sealed class AnnotationLoopTests : IDisposable
{
    private readonly RepositoryCopy repository = new();

    private string Images => Path.Combine(repository.Root, "new-images");

    [Fact]
    public async Task The_label_pages_export_is_imported_and_tracked_Repro_retrains_on_it_and_the_report_shows_the_metrics_diff()
    {
        await repository.EditParamsAsync("epochs: 5", "epochs: 1");
        TestGit.Run(repository.Root, "init", "--quiet");
        var trained = await repository.CakeAsync("--target=Repro");
        TestGit.Commit(repository.Root, "before labeling", "build.cake", "cake.config", "params.yaml", "pipeline.lock");
        var classes = await NewImagesAsync();

        var labelling = await LabelAsync(classes);
        var export = Path.Combine(repository.Root, "labeling", "annotations.min.json");
        var unknown = Path.Combine(repository.Root, "unknown.json");
        await File.WriteAllTextAsync(unknown, "[{\"image\": \"/data/local-files/?d=x.jpg\", \"id\": 1, \"choice\": \"Vulcan\", \"annotator\": 1}]");
        var refused = await repository.CakeAsync("--target=ImportAnnotations", $"--file={unknown}", $"--images={Images}");
        var imported = await repository.CakeAsync("--target=ImportAnnotations", $"--file={export}", $"--images={Images}");
        var retrained = await repository.CakeAsync("--target=Repro");
        var report = await repository.CakeAsync("--target=Report", "--out=report.md");
        var fromJson = await repository.CakeAsync("--target=ImportAnnotations", "--file=labeling/annotations.json", $"--images={Images}");
        var unchanged = await repository.CakeAsync("--target=Repro");

        Assert.True(trained.ExitCode == 0, trained.Output);
        Assert.Contains("Labeling page: http://127.0.0.1:", labelling, StringComparison.Ordinal);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"Error: {unknown}: unknown class 'Vulcan' (task 1); the classes are Earth, Jupiter, MakeMake,", refused.Output, StringComparison.Ordinal);
        Assert.True(imported.ExitCode == 0, imported.Output);
        Assert.Contains($"Imported {export}: 21 images added, 0 relabelled, 0 already there; left out: 0 disputed, 0 cancelled annotations, 0 unlabelled", imported.Output, StringComparison.Ordinal);
        Assert.Contains("Added data/annotated (21 files,", imported.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(repository.Root, "data", "annotated.ptr")));
        Assert.True(retrained.ExitCode == 0, retrained.Output);
        Assert.Contains("dependency data/annotated added", retrained.Output, StringComparison.Ordinal);
        Assert.Contains("prepare: 1606 images + 21 extra for training, 11 classes -> 1306 train, 321 test", retrained.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'train' (dependency data/prepared modified)", retrained.Output, StringComparison.Ordinal);
        Assert.True(report.ExitCode == 0, report.Output);
        Assert.Contains("| evaluation/metrics.json | val_acc |", await File.ReadAllTextAsync(Path.Combine(repository.Root, "report.md")), StringComparison.Ordinal);
        Assert.Contains("0 images added, 0 relabelled, 21 already there; left out: 0 disputed, 1 cancelled annotation, 0 unlabelled", fromJson.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Running stage", unchanged.Output, StringComparison.Ordinal);
    }

    public void Dispose() => repository.Dispose();

    // Two new images of each class, named with hyphens as people name files; their classes by file name.
    private async Task<Dictionary<string, string>> NewImagesAsync()
    {
        var generated = Path.Combine(repository.Root, "generated");
        await Cli.Wrap("dotnet").WithArguments(["artifacts/bin/Planets.Ml/release/Planets.Ml.dll", "generate", generated, "--per-class", "2"])
            .WithWorkingDirectory(repository.Root).ExecuteBufferedAsync();
        Directory.CreateDirectory(Images);
        var classes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, i) in Directory.GetFiles(generated, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select((f, i) => (f, i)))
        {
            var label = Path.GetFileName(Path.GetDirectoryName(file))!;
            var name = $"new-{label}-{i + 1}.jpg";
            File.Copy(file, Path.Combine(Images, name));
            classes[name] = label;
        }

        return classes;
    }

    // The labeling page as a person uses it, through its own API: every image gets its class, the first one is skipped.
    private async Task<string> LabelAsync(Dictionary<string, string> classes)
    {
        var url = $"http://127.0.0.1:{TcpPorts.Free()}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var label = CakeProcess.Start(repository.Root, "--target=Label", $"--images={Images}", $"--urls={url}");
        await label.WaitUntilAnswersAsync(http, $"{url}/label/api/tasks", TimeSpan.FromMinutes(3));
        var tasks = (await http.GetFromJsonAsync<JsonObject>(new Uri($"{url}/label/api/tasks")))!["tasks"]!.AsArray();
        foreach (var (task, i) in tasks.Select((t, i) => (t!, i)))
        {
            var image = Uri.UnescapeDataString(((string)task["data"]!["image"]!).Split("?d=")[1]);
            var body = new JsonObject
            {
                ["result"] = new JsonArray(new JsonObject
                {
                    ["id"] = "p1", ["type"] = "choices", ["from_name"] = "choice", ["to_name"] = "image",
                    ["value"] = new JsonObject { ["choices"] = new JsonArray(classes[image]) },
                }),
                ["lead_time"] = 1.5,
                ["was_cancelled"] = i == 0,
            };
            using var saved = await http.PostAsJsonAsync(new Uri($"{url}/label/api/tasks/{task["id"]}/annotations"), body);
            Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        }

        await label.TerminateAsync();
        return label.Output;
    }
}
