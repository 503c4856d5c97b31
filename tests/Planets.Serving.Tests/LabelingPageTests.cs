using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace Planets.Serving.Tests;

/// <summary>
/// The labeling page (<c>label --images DIR</c>): the real Label Studio editor over a folder of new images, each
/// pre-labelled by the model, least confident first; a submit lands in Label Studio's JSON and JSON-MIN exports.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class LabelingPageTests(ServiceFixture service) : IAsyncLifetime, IDisposable
{
    private static readonly string Editor = Path.Combine(RepositoryPaths.Root, "artifacts", "label-studio-editor");
    private readonly TempDir dir = new();
    private WebApplication app = null!;
    private HttpClient client = null!;

    private string Export => dir["labeling/annotations.json"];

    public async Task InitializeAsync()
    {
        // The editor is installed by the project's own set-up; a test run on a fresh machine does it here.
        TestProcess.Run("bash", [Path.Combine(RepositoryPaths.Root, "scripts", "setup-labeling.sh")], RepositoryPaths.Root);
        Directory.CreateDirectory(dir["new"]);
        foreach (var (image, i) in service.SampleImages.Take(4).Select((image, i) => (image, i)))
        {
            File.Copy(image, dir[$"new/new-{Path.GetFileNameWithoutExtension(image)}-{i}.jpg"]);
        }

        (app, client) = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    public void Dispose() => dir.Dispose();

    [ChromiumFact]
    public async Task The_editor_shows_the_least_confident_pre_label_and_a_changed_choice_lands_in_both_exports()
    {
        var tasks = await TasksAsync(client);
        var first = tasks["tasks"]![0]!;
        var predicted = (string)first["predictions"]![0]!["result"]![0]!["value"]!["choices"]![0]!;
        var other = predicted == "Moon" ? "Mars" : "Moon";

        using var browser = ChromiumFactAttribute.StartBrowser();
        browser.Navigate().GoToUrl(new Uri(client.BaseAddress!, "/label"));
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        var checkedChoice = wait.Until(b => b.FindElements(By.CssSelector(".ant-radio-wrapper-checked input")).FirstOrDefault());
        Assert.Equal(predicted, checkedChoice!.GetAttribute("value"));
        Assert.Equal("0 of 4 labelled", browser.FindElement(By.Id("progress")).Text);
        Assert.StartsWith($"task {first["id"]} (model: ", browser.FindElement(By.Id("current")).Text, StringComparison.Ordinal);
        browser.FindElement(By.CssSelector($"input.ant-radio-input[value='{other}']")).Click();
        browser.FindElement(By.CssSelector("button[aria-label=submit]")).Click();
        wait.Until(b => b.FindElement(By.Id("progress")).Text == "1 of 4 labelled");

        var json = JsonNode.Parse(await File.ReadAllTextAsync(Export))!.AsArray();
        var task = Assert.Single(json)!;
        Assert.Equal((int)first["id"]!, (int)task["id"]!);
        Assert.Equal((string)first["data"]!["image"]!, (string)task["data"]!["image"]!);
        var annotation = task["annotations"]![0]!;
        Assert.False((bool)annotation["was_cancelled"]!);
        Assert.Equal(other, (string)annotation["result"]![0]!["value"]!["choices"]![0]!);
        Assert.Equal("choice", (string)annotation["result"]![0]!["from_name"]!);
        var minimal = Assert.Single(JsonNode.Parse(await File.ReadAllTextAsync(dir["labeling/annotations.min.json"]))!.AsArray())!;
        Assert.Equal(other, (string)minimal["choice"]!);
        Assert.Equal(1, (int)minimal["annotator"]!);
        Assert.StartsWith("/data/local-files/?d=new-", (string)minimal["image"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tasks_come_least_confident_first_a_skip_is_cancelled_and_a_restart_resumes_from_the_export()
    {
        var tasks = (await TasksAsync(client))["tasks"]!.AsArray();
        var scores = tasks.Select(t => (float)t!["predictions"]![0]!["score"]!).ToList();
        var skipped = (int)tasks[0]!["id"]!;
        var labelled = (int)tasks[1]!["id"]!;

        using var skip = await client.PostAsJsonAsync(new Uri($"/label/api/tasks/{skipped}/annotations", UriKind.Relative), new JsonObject { ["result"] = new JsonArray(), ["was_cancelled"] = true });
        using var save = await client.PostAsJsonAsync(new Uri($"/label/api/tasks/{labelled}/annotations", UriKind.Relative), Choice("Earth"));
        using var unknownChoice = await client.PostAsJsonAsync(new Uri($"/label/api/tasks/{labelled}/annotations", UriKind.Relative), Choice("Vulcan"));
        using var noTask = await client.PostAsJsonAsync(new Uri("/label/api/tasks/999/annotations", UriKind.Relative), Choice("Earth"));
        using var image = await client.GetAsync(new Uri((string)tasks[0]!["data"]!["image"]!, UriKind.Relative));
        using var escape = await client.GetAsync(new Uri("/data/local-files/?d=../../../etc/passwd", UriKind.Relative));
        client.Dispose();
        await app.DisposeAsync();
        (app, client) = await StartAsync();
        var resumed = await TasksAsync(client);

        Assert.Equal(scores.Order(), scores);
        Assert.Equal(HttpStatusCode.OK, skip.StatusCode);
        Assert.Equal(HttpStatusCode.OK, save.StatusCode);
        Assert.Contains("must choose one of", (await Http.AssertProblemAsync(unknownChoice, 400)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Http.AssertProblemAsync(noTask, 404);
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, escape.StatusCode);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Export))!.AsArray();
        Assert.Equal(new[] { skipped, labelled }.Order(), json.Select(t => (int)t!["id"]!).Order());
        Assert.True((bool)json.Single(t => (int)t!["id"]! == skipped)!["annotations"]![0]!["was_cancelled"]!);
        Assert.Equal(labelled, (int)Assert.Single(JsonNode.Parse(await File.ReadAllTextAsync(dir["labeling/annotations.min.json"]))!.AsArray())!["id"]!);
        Assert.Equal(2, (int)resumed["labelled"]!);
        Assert.Empty(Directory.GetFiles(dir["labeling"], "*.tmp"));
    }

    private static JsonObject Choice(string value) => new()
    {
        ["result"] = new JsonArray(new JsonObject
        {
            ["id"] = "p1",
            ["type"] = "choices",
            ["from_name"] = "choice",
            ["to_name"] = "image",
            ["value"] = new JsonObject { ["choices"] = new JsonArray(value) },
            ["origin"] = "prediction",
        }),
        ["lead_time"] = 2.5,
        ["was_cancelled"] = false,
    };

    private async Task<(WebApplication App, HttpClient Client)> StartAsync()
    {
        var labeling = ServingApp.Build(["--store", service.Store, "--urls", "http://127.0.0.1:0", "--images", dir["new"], "--out", Export, "--editor", Editor]);
        await labeling.StartAsync();
        return (labeling, new HttpClient { BaseAddress = new Uri(labeling.Urls.Single()) });
    }

    private static async Task<JsonObject> TasksAsync(HttpClient client)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var response = await client.GetAsync(new Uri("/label/api/tasks", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the labeling page never finished pre-labelling");
    }
}
