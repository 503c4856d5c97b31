using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;

namespace Planets.Build.Tests;

/// <summary>
/// Label new images, then retrain, with the real <c>dotnet cake</c> in a copy of the repository: a Label Studio export
/// is imported into tracked data, <c>Repro</c> retrains on it, and the report shows what the new data did.
/// </summary>
public sealed class AnnotationLoopTests : IDisposable
{
    private readonly RepositoryCopy repository = new();

    [Fact]
    public async Task An_imported_export_is_tracked_Repro_retrains_on_it_and_the_report_shows_the_metrics_diff()
    {
        await repository.EditParamsAsync("epochs: 5", "epochs: 1");
        TestGit.Run(repository.Root, "init", "--quiet");
        var trained = await repository.CakeAsync("--target=Repro");
        TestGit.Commit(repository.Root, "before labeling", "build.cake", "cake.config", "params.yaml", "pipeline.lock");
        var export = await NewImagesExportAsync();
        var unknown = await WriteAsync("unknown.json", new JsonArray(Record(1, "/data/upload/1/0a1b2c3d-x-1.jpg", "Vulcan", 1)));

        var refused = await repository.CakeAsync("--target=ImportAnnotations", $"--file={unknown}", $"--images={Images}");
        var imported = await repository.CakeAsync("--target=ImportAnnotations", $"--file={export}", $"--images={Images}");
        var retrained = await repository.CakeAsync("--target=Repro");
        var report = await repository.CakeAsync("--target=Report", "--out=report.md");
        var again = await repository.CakeAsync("--target=ImportAnnotations", $"--file={export}", $"--images={Images}");
        var unchanged = await repository.CakeAsync("--target=Repro");

        Assert.True(trained.ExitCode == 0, trained.Output);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"Error: {unknown}: unknown class 'Vulcan' (task 1); the classes are Earth, Jupiter, MakeMake,", refused.Output, StringComparison.Ordinal);
        Assert.True(imported.ExitCode == 0, imported.Output);
        Assert.Contains($"Imported {export}: 22 images added, 0 relabelled, 0 already there; left out: 1 disputed, 0 cancelled annotations, 0 unlabelled", imported.Output, StringComparison.Ordinal);
        Assert.Contains("Annotators disagree, image left out: task 23 (/data/upload/1/9f8e7d6c-disputed-1.jpg): 1: Earth, 2: Mars", imported.Output, StringComparison.Ordinal);
        Assert.Contains("Added data/annotated (22 files,", imported.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(repository.Root, "data", "annotated.ptr")));
        Assert.True(retrained.ExitCode == 0, retrained.Output);
        Assert.Contains("dependency data/annotated added", retrained.Output, StringComparison.Ordinal);
        Assert.Contains("prepare: 1606 images + 22 extra for training, 11 classes -> 1307 train, 321 test", retrained.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'train' (dependency data/prepared modified)", retrained.Output, StringComparison.Ordinal);
        Assert.True(report.ExitCode == 0, report.Output);
        Assert.Contains("val_acc", await File.ReadAllTextAsync(Path.Combine(repository.Root, "report.md")), StringComparison.Ordinal);
        Assert.Contains("0 images added, 0 relabelled, 22 already there", again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Running stage", unchanged.Output, StringComparison.Ordinal);
    }

    public void Dispose() => repository.Dispose();

    private string Images => Path.Combine(repository.Root, "new-images");

    // Two new images of each class, named with hyphens as people name files, exported in JSON-MIN as Label Studio
    // writes it (one record per annotation), with one image two annotators disagree on.
    private async Task<string> NewImagesExportAsync()
    {
        var generated = Path.Combine(repository.Root, "generated");
        await Cli.Wrap("dotnet").WithArguments(["artifacts/bin/Planets.Ml/release/Planets.Ml.dll", "generate", generated, "--per-class", "2"])
            .WithWorkingDirectory(repository.Root).ExecuteBufferedAsync();
        Directory.CreateDirectory(Images);
        var records = new JsonArray();
        var id = 0;
        foreach (var file in Directory.GetFiles(generated, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var label = Path.GetFileName(Path.GetDirectoryName(file))!;
            var name = $"new-{label}-{++id}.jpg";
            File.Copy(file, Path.Combine(Images, name));
            records.Add(Record(id, $"/data/upload/1/{id:x8}-{name}", label, 1));
        }

        File.Copy(Directory.GetFiles(Images).Order(StringComparer.Ordinal).First(), Path.Combine(Images, "disputed-1.jpg"));
        records.Add(Record(23, "/data/upload/1/9f8e7d6c-disputed-1.jpg", "Earth", 1));
        records.Add(Record(23, "/data/upload/1/9f8e7d6c-disputed-1.jpg", "Mars", 2));
        return await WriteAsync("result.json", records);
    }

    private static JsonObject Record(int id, string image, string choice, int annotator) => new()
    {
        ["image"] = image,
        ["id"] = id,
        ["choice"] = choice,
        ["annotator"] = annotator,
        ["annotation_id"] = id * 10 + annotator,
        ["created_at"] = "2026-12-01T10:00:00.000000Z",
        ["updated_at"] = "2026-12-01T10:00:00.000000Z",
        ["lead_time"] = 2.5,
    };

    private async Task<string> WriteAsync(string name, JsonNode export)
    {
        var path = Path.Combine(repository.Root, name);
        await File.WriteAllTextAsync(path, export.ToJsonString());
        return path;
    }
}
