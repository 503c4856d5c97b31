using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using static Pipeline.Annotations.Tests.Exports;

namespace Pipeline.Annotations.Tests;

/// <summary>Label Studio exports filed into a class-folder dataset, with the bad inputs a user meets.</summary>
public sealed class ImportTests : IDisposable
{
    private static readonly string[] Classes = ["Earth", "Mars", "Moon", "Saturn"];
    private static readonly HttpClient Http = new();
    private readonly TempFolder folder = new();

    private string Destination => folder["data/annotated"];

    [Fact]
    public async Task A_json_export_files_each_agreed_image_under_its_class_and_reports_disagreements_and_cancelled_ones()
    {
        Image("uploads/Earth-rise-1.jpg", 1);
        Image("uploads/Mars_2.jpg", 2);
        Image("uploads/Moon_3.jpg", 3);
        Image("uploads/Saturn_4.jpg", 4);
        var export = Write("export.json", new JsonArray(
            Task(1, "/data/upload/3/ab12cd34-Earth-rise-1.jpg", Chose(11, 1, "Earth")),
            Task(2, "/data/upload/3/0f1e2d3c-Mars_2.jpg", Chose(12, 1, "mars"), Chose(13, 2, "Mars")),
            Task(3, "/data/upload/3/99aa88bb-Moon_3.jpg", Chose(14, 1, "Moon"), Chose(15, 2, "Earth")),
            Task(4, "/data/upload/3/12345678-Saturn_4.jpg", Cancelled(16, 1))));

        var result = await ImportAsync(export);

        Assert.Equal(["Earth/Earth-rise-1.jpg", "Mars/Mars_2.jpg"], result.Added);
        Assert.Equal(Bytes(1), await File.ReadAllBytesAsync(Path.Combine(Destination, "Earth", "Earth-rise-1.jpg")));
        Assert.Equal("task 3 (/data/upload/3/99aa88bb-Moon_3.jpg): 1: Moon, 2: Earth", Assert.Single(result.Decisions.Disagreements).ToString());
        Assert.Equal(1, result.Decisions.Cancelled);
        Assert.Equal(0, result.Decisions.Unlabelled);
        Assert.Equal(["Earth", "Mars"], Directory.GetDirectories(Destination).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_json_min_export_with_one_record_per_annotator_is_settled_by_the_chosen_rule()
    {
        Image("uploads/Moon_3.jpg", 3);
        Image("uploads/Mars_2.jpg", 2);
        var export = Write("result.json", new JsonArray(
            Minimal(3, "/data/upload/3/99aa88bb-Moon_3.jpg", "Earth", 2, "2026-11-30T10:00:00.000000Z"),
            Minimal(3, "/data/upload/3/99aa88bb-Moon_3.jpg", "Moon", 1, "2026-11-30T09:00:00.000000Z"),
            Minimal(3, "/data/upload/3/99aa88bb-Moon_3.jpg", "Moon", 3, "2026-11-30T08:00:00.000000Z"),
            Minimal(2, "/data/upload/3/0f1e2d3c-Mars_2.jpg", null, null)));

        var skipped = await ImportAsync(export);
        var latest = await ImportAsync(export, DisagreementRule.Latest);
        var majority = await ImportAsync(export, DisagreementRule.Majority);

        Assert.Empty(skipped.Added);
        Assert.Single(skipped.Decisions.Disagreements);
        Assert.Equal(1, skipped.Decisions.Unlabelled);
        Assert.Equal(["Earth/Moon_3.jpg"], latest.Added);
        Assert.Equal(["Earth/Moon_3.jpg -> Moon/Moon_3.jpg"], majority.Relabelled);
        Assert.False(File.Exists(Path.Combine(Destination, "Earth", "Moon_3.jpg")));
        Assert.True(File.Exists(Path.Combine(Destination, "Moon", "Moon_3.jpg")));
    }

    [Fact]
    public async Task Importing_the_same_export_twice_adds_nothing()
    {
        Image("uploads/Earth_1.jpg", 1);
        var export = Write("export.json", new JsonArray(Task(1, "/data/upload/3/ab12cd34-Earth_1.jpg", Chose(11, 1, "Earth"))));

        var first = await ImportAsync(export);
        var again = await ImportAsync(export);

        Assert.True(first.Changed);
        Assert.False(again.Changed);
        Assert.Equal(1, again.Unchanged);
        Assert.Single(Directory.GetFiles(Destination, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_unknown_class_a_missing_image_or_a_malformed_export_is_one_line_and_changes_nothing()
    {
        Image("uploads/Earth_1.jpg", 1);
        var unknown = Write("unknown.json", new JsonArray(
            Task(1, "/data/upload/3/ab12cd34-Earth_1.jpg", Chose(11, 1, "Earth")),
            Task(2, "/data/upload/3/ab12cd34-Earth_2.jpg", Chose(12, 1, "Vulcan"))));
        var missing = Write("missing.json", new JsonArray(
            Task(1, "/data/upload/3/ab12cd34-Earth_1.jpg", Chose(11, 1, "Earth")),
            Task(2, "/data/upload/3/cdcdcdcd-Mars_9.jpg", Chose(12, 1, "Mars"))));
        var notJson = folder.Write("broken.json", "[{\"id\": 1, \"annotations\": [");
        var notAList = Write("object.json", new JsonObject { ["tasks"] = new JsonArray() });
        var noData = Write("nodata.json", new JsonArray(new JsonObject { ["id"] = 4, ["annotations"] = new JsonArray() }));
        var twoValues = Write("two.json", new JsonArray(Task(5, "/data/upload/3/ab12cd34-Earth_1.jpg", Chose(11, 1, "Earth"), Chose(12, 2, "Mars", control: "mood"))));

        var errors = new List<string>();
        foreach (var export in new[] { unknown, missing, notJson, notAList, noData, twoValues })
        {
            errors.Add((await Assert.ThrowsAsync<AnnotationException>(() => ImportAsync(export))).Message);
        }

        Assert.Equal($"{unknown}: unknown class 'Vulcan' (task 2); the classes are Earth, Mars, Moon, Saturn", errors[0]);
        Assert.Equal($"/data/upload/3/cdcdcdcd-Mars_9.jpg: not in {folder["uploads"]} (as Mars_9.jpg), and no Label Studio host to download it from (--label-studio-host)", errors[1]);
        Assert.StartsWith($"{notJson}: not JSON (", errors[2], StringComparison.Ordinal);
        Assert.Equal($"{notAList}: expected a list of tasks (a Label Studio JSON or JSON-MIN export)", errors[3]);
        Assert.Equal($"{noData}: task 4: expected \"data\" and \"annotations\" as Label Studio's JSON export has them", errors[4]);
        Assert.Equal($"{twoValues}: the annotations fill several choices controls (choice, mood); name the class's with --control", errors[5]);
        Assert.All(errors, e => Assert.DoesNotContain('\n', e));
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public async Task Upload_paths_not_in_the_images_folder_are_downloaded_from_label_studio_with_its_token_only()
    {
        await using var labelStudio = await ImageServer.StartAsync(Bytes(7));
        await using var elsewhere = await ImageServer.StartAsync(Bytes(8));
        var export = Write("export.json", new JsonArray(
            Task(1, "/data/upload/3/ab12cd34-Mars-dust-storm.jpg", Chose(11, 1, "Mars")),
            Task(2, $"{elsewhere.Address}pictures/Saturn%20rings.jpg", Chose(12, 1, "Saturn"))));
        var locations = new ImageLocations { ExportFolder = folder.Path, LabelStudioHost = labelStudio.Address, AccessToken = "secret-token" };

        var result = await AnnotationImport.RunAsync(Settings(export) with { Locations = locations }, Http, CancellationToken.None);

        Assert.Equal(["Mars/Mars-dust-storm.jpg", "Saturn/Saturn rings.jpg"], result.Added.Order(StringComparer.Ordinal));
        Assert.Equal(Bytes(7), await File.ReadAllBytesAsync(Path.Combine(Destination, "Mars", "Mars-dust-storm.jpg")));
        Assert.Equal(("/data/upload/3/ab12cd34-Mars-dust-storm.jpg", "Token secret-token"), Assert.Single(labelStudio.Requests));
        Assert.Equal(("/pictures/Saturn%20rings.jpg", (string?)null), Assert.Single(elsewhere.Requests));
    }

    [Fact]
    public async Task Local_files_and_plain_paths_are_read_from_the_images_folder_and_the_exports_folder()
    {
        Image("uploads/planets/Moon shot-1.jpg", 3);
        Image("exported/Earth_5.jpg", 5);
        var export = Write("exported/export.json", new JsonArray(
            Task(1, "/data/local-files/?d=planets/Moon%20shot-1.jpg", Chose(11, 1, "Moon")),
            Task(2, "Earth_5.jpg", Chose(12, 1, "Earth")),
            Task(3, "/data/local-files/?d=../../etc/passwd", Chose(13, 1, "Earth"))));

        var error = await Assert.ThrowsAsync<AnnotationException>(() => ImportAsync(export));
        var withoutEscape = Write("exported/export.json", new JsonArray(
            Task(1, "/data/local-files/?d=planets/Moon%20shot-1.jpg", Chose(11, 1, "Moon")),
            Task(2, "Earth_5.jpg", Chose(12, 1, "Earth"))));
        var result = await ImportAsync(withoutEscape);

        Assert.Equal("/data/local-files/?d=../../etc/passwd: the path leaves the local-files root", error.Message);
        Assert.Equal(["Earth/Earth_5.jpg", "Moon/Moon shot-1.jpg"], result.Added.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_file_that_is_no_image_is_refused_before_anything_is_written()
    {
        Image("uploads/Earth_1.jpg", 1);
        folder.Write("uploads/notes.jpg", "meeting notes");
        var export = Write("export.json", new JsonArray(
            Task(1, "/data/upload/3/ab12cd34-Earth_1.jpg", Chose(11, 1, "Earth")),
            Task(2, "/data/upload/3/ab12cd34-notes.jpg", Chose(12, 1, "Moon"))));

        var error = await Assert.ThrowsAsync<AnnotationException>(() => ImportAsync(export));

        Assert.Equal("/data/upload/3/ab12cd34-notes.jpg: not a JPEG or PNG image", error.Message);
        Assert.False(Directory.Exists(Destination));
    }

    public void Dispose() => folder.Dispose();

    private static byte[] Bytes(int seed) => [0xFF, 0xD8, 0xFF, 0xE0, .. Enumerable.Range(0, 64).Select(i => (byte)(i * seed))];

    private void Image(string relative, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(folder[relative])!);
        File.WriteAllBytes(folder[relative], Bytes(seed));
    }

    private string Write(string relative, JsonNode export) => folder.Write(relative, export.ToJsonString());

    private AnnotationImportSettings Settings(string export, DisagreementRule rule = DisagreementRule.Skip) => new()
    {
        ExportFile = export,
        Destination = Destination,
        Classes = Classes,
        OnDisagreement = rule,
        Locations = new ImageLocations { ExportFolder = Path.GetDirectoryName(export)!, ImagesFolder = folder["uploads"] },
    };

    private Task<AnnotationImportResult> ImportAsync(string export, DisagreementRule rule = DisagreementRule.Skip) =>
        AnnotationImport.RunAsync(Settings(export, rule), Http, CancellationToken.None);

    /// <summary>A real HTTP server that answers every path with one image and records who asked with which token.</summary>
    private sealed class ImageServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ImageServer(WebApplication app) => _app = app;

        public Uri Address => new(_app.Urls.Single() + "/");

        public List<(string Path, string? Authorization)> Requests { get; } = [];

        public static async Task<ImageServer> StartAsync(byte[] image)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var server = new ImageServer(app);
            app.Run(context =>
            {
                lock (server.Requests)
                {
                    server.Requests.Add((context.Request.Path.ToUriComponent(), context.Request.Headers.Authorization.FirstOrDefault()));
                }

                return context.Response.Body.WriteAsync(image).AsTask();
            });
            await app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
