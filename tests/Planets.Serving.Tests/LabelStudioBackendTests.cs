using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Planets.Serving.Tests;

/// <summary>
/// The Label Studio ML backend, called with request bodies shaped as a Label Studio server sends them
/// (<c>label_studio/ml/api_connector.py</c>), against images on a server that wants Label Studio's token.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class LabelStudioBackendTests(ServiceFixture service) : IAsyncLifetime
{
    private const string Project = "1.1764590400";
    private LabelStudioFiles files = null!;

    public async Task InitializeAsync() => files = await LabelStudioFiles.StartAsync();

    public async Task DisposeAsync() => await files.DisposeAsync();

    [Fact]
    public async Task Health_answers_up_with_the_served_model_at_both_paths()
    {
        foreach (var path in new[] { "/label-studio/health", "/label-studio/", "/label-studio" })
        {
            var health = await service.Client.GetFromJsonAsync<JsonObject>(new Uri(path, UriKind.Relative));

            Assert.Equal("UP", (string?)health!["status"]);
            Assert.Equal(service.Model.Tag.ToString(), (string?)health["model_version"]);
            Assert.Equal("planets-classifier", (string?)health["model_class"]);
        }
    }

    [Fact]
    public async Task Several_tasks_get_one_pre_label_each_in_task_order_with_the_projects_own_control_names()
    {
        var images = service.SampleImages;
        var setup = await PostAsync("setup", SetupBody(Config("planet", "photo", "img", Labels)));
        var tasks = images.Select((image, i) => Task(100 + i, "img", files.Upload($"{Path.GetFileNameWithoutExtension(image)}-copy.jpg", File.ReadAllBytes(image))));
        var answer = await PostAsync("predict", PredictBody(Config("planet", "photo", "img", Labels), tasks));
        var expected = await BatchAnswersAsync(images);

        Assert.Equal(HttpStatusCode.OK, setup.Status);
        Assert.Equal(service.Model.Tag.ToString(), (string?)setup.Body["model_version"]);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var results = answer.Body["results"]!.AsArray();
        Assert.Equal(images.Count, results.Count);
        for (var i = 0; i < images.Count; i++)
        {
            var region = results[i]!["result"]!.AsArray().Single()!;
            Assert.Equal("planet", (string?)region["from_name"]);
            Assert.Equal("photo", (string?)region["to_name"]);
            Assert.Equal("choices", (string?)region["type"]);
            Assert.Equal(expected[i].Prediction, (string?)region["value"]!["choices"]!.AsArray().Single());
            Assert.Equal(expected[i].Probabilities.Single(p => p.Key == expected[i].Prediction).Value, (float)results[i]!["score"]!, 5);
            Assert.Equal(service.Model.Tag.ToString(), (string?)results[i]!["model_version"]);
        }

        Assert.All(files.Requests, request => Assert.Equal($"Token {LabelStudioFiles.Token}", request.Authorization));
    }

    [Fact]
    public async Task Only_values_the_project_offers_are_proposed_and_the_score_is_that_values_probability()
    {
        var offered = new[] { "Earth", "moon" };
        var image = service.SampleImages[3];
        var config = Config("choice", "image", "image", offered);
        var answer = await PostAsync("predict", PredictBody(config, [Task(1, "image", $"/data/local-files/?d={Uri.EscapeDataString(Path.GetRelativePath(service.Raw, image))}")]));
        var expected = (await BatchAnswersAsync([image]))[0].Probabilities;

        var result = answer.Body["results"]!.AsArray().Single()!;
        var chosen = (string)result["result"]!.AsArray().Single()!["value"]!["choices"]!.AsArray().Single()!;
        var best = expected.Where(p => p.Key is "Earth" or "Moon").MaxBy(p => p.Value);
        Assert.Equal(best.Key == "Moon" ? "moon" : "Earth", chosen);
        Assert.Equal(best.Value, (float)result["score"]!, 5);
    }

    [Fact]
    public async Task An_unreadable_image_fails_its_own_task_and_the_others_are_answered()
    {
        var good = files.Upload("Saturn-1.jpg", File.ReadAllBytes(service.SampleImages[8]));
        var notAnImage = files.Upload("notes.jpg", Encoding.UTF8.GetBytes("not an image"));
        var tasks = new[]
        {
            Task(1, "image", good),
            Task(2, "image", "/data/upload/1/00000000-missing.jpg"),
            Task(3, "image", notAnImage),
            Task(4, "image", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
            Task(5, "image", "/data/local-files/?d=../../../../etc/passwd"),
            Task(6, "image", $"http://localhost:{TcpPorts.Free()}/image.jpg"),
            new JsonObject { ["id"] = 7, ["data"] = new JsonObject { ["text"] = "no image field" } },
        };
        await PostAsync("setup", SetupBody(Config("choice", "image", "image", Labels)));

        var answer = await PostAsync("predict", PredictBody(Config("choice", "image", "image", Labels), tasks));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var results = answer.Body["results"]!.AsArray();
        Assert.Equal(tasks.Length, results.Count);
        Assert.Single(results[0]!["result"]!.AsArray());
        Assert.Null(results[0]!["error"]);
        string Error(int i) => (string)results[i]!["error"]!;
        Assert.Contains("HTTP 404", Error(1), StringComparison.Ordinal);
        Assert.Contains("cannot be decoded as an image", Error(2), StringComparison.Ordinal);
        Assert.Contains("host '169.254.169.254' is not the Label Studio host nor an allowed host", Error(3), StringComparison.Ordinal);
        Assert.Contains("leaves the local-files root", Error(4), StringComparison.Ordinal);
        Assert.Contains($"localhost", Error(5), StringComparison.Ordinal);
        Assert.Contains("data.image is missing", Error(6), StringComparison.Ordinal);
        Assert.All(results.Skip(1), r => Assert.Empty(r!["result"]!.AsArray()));
        Assert.DoesNotContain(LabelStudioFiles.Token, answer.Body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_paths_need_the_host_and_token_that_setup_gives()
    {
        var path = files.Upload("Mars-1.jpg", File.ReadAllBytes(service.SampleImages[5]));
        const string other = "7.1764590400";

        var before = await PostAsync("predict", PredictBody(Config("choice", "image", "image", Labels), [Task(1, "image", path)], other));
        await PostAsync("setup", SetupBody(Config("choice", "image", "image", Labels), other));
        var after = await PostAsync("predict", PredictBody(Config("choice", "image", "image", Labels), [Task(1, "image", path)], other));

        Assert.Contains("the Label Studio host is unknown", (string)before.Body["results"]![0]!["error"]!, StringComparison.Ordinal);
        Assert.Single(after.Body["results"]![0]!["result"]!.AsArray());
    }

    [Fact]
    public async Task A_config_whose_choices_the_model_does_not_know_is_refused_naming_them()
    {
        var unknown = await service.Client.PostAsJsonAsync(new Uri("/label-studio/setup", UriKind.Relative), SetupBody(Config("choice", "image", "image", ["Earth", "Vulcan", "Krypton"])));
        var noChoices = await service.Client.PostAsJsonAsync(new Uri("/label-studio/setup", UriKind.Relative), SetupBody("<View><Image name=\"image\" value=\"$image\"/></View>"));
        var notXml = await service.Client.PostAsJsonAsync(new Uri("/label-studio/predict", UriKind.Relative), PredictBody("<View><Choices", []));

        var problem = await Http.AssertProblemAsync(unknown, 422);
        Assert.Contains("has values the model does not know: Vulcan, Krypton", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("no <Choices> control", (await Http.AssertProblemAsync(noChoices, 422)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("not well-formed XML", (await Http.AssertProblemAsync(notXml, 422)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Training_events_are_accepted_and_other_actions_are_unknown()
    {
        var created = await PostAsync("webhook", WebhookBody("ANNOTATION_CREATED"));
        var training = await PostAsync("webhook", WebhookBody("START_TRAINING"));
        var other = await PostAsync("webhook", WebhookBody("PROJECT_UPDATED"));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("ok", (string?)created.Body["status"]);
        Assert.Equal(HttpStatusCode.Created, training.Status);
        Assert.Contains("ImportAnnotations", (string?)training.Body["result"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal("Unknown event", (string?)other.Body["status"]);
    }

    [Fact]
    public async Task With_basic_auth_configured_only_the_right_credentials_are_served()
    {
        await using var guarded = ServingApp.Build(["--store", service.Store, "--urls", "http://127.0.0.1:0", "--BASIC_AUTH_USER", "annotator", "--BASIC_AUTH_PASS", "s3cret"]);
        await guarded.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(guarded.Urls.Single()) };

        using var anonymous = await client.GetAsync(new Uri("/label-studio/health", UriKind.Relative));
        using var wrong = await GetWithAsync(client, "annotator:guess");
        using var right = await GetWithAsync(client, "annotator:s3cret");
        using var prediction = await client.GetAsync(new Uri("/livez", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.True(right.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, right.StatusCode.ToString());
        Assert.Equal(HttpStatusCode.OK, prediction.StatusCode);
    }

    private static string[] Labels => ["Earth", "Jupiter", "MakeMake", "Mars", "Mercury", "Moon", "Neptune", "Pluto", "Saturn", "Uranus", "Venus"];

    private static string Config(string fromName, string toName, string field, IEnumerable<string> choices) =>
        $"<View>\n  <Image name=\"{toName}\" value=\"${field}\"/>\n  <Choices name=\"{fromName}\" toName=\"{toName}\" choice=\"single-radio\">\n"
        + string.Concat(choices.Select(c => $"    <Choice value=\"{c}\"/>\n")) + "  </Choices>\n</View>";

    private JsonObject SetupBody(string schema, string project = Project) => new()
    {
        ["project"] = project,
        ["schema"] = schema,
        ["hostname"] = files.Host.ToString().TrimEnd('/'),
        ["access_token"] = LabelStudioFiles.Token,
        ["extra_params"] = null,
    };

    private static JsonObject PredictBody(string labelConfig, IEnumerable<JsonObject> tasks, string project = Project) => new()
    {
        ["tasks"] = new JsonArray([.. tasks]),
        ["model_version"] = "",
        ["project"] = project,
        ["label_config"] = labelConfig,
        ["params"] = new JsonObject { ["login"] = null, ["password"] = null, ["context"] = null },
    };

    private static JsonObject Task(int id, string field, string image) => new()
    {
        ["id"] = id,
        ["data"] = new JsonObject { [field] = image },
        ["meta"] = new JsonObject(),
        ["created_at"] = "2026-12-01T10:00:00.000000Z",
        ["updated_at"] = "2026-12-01T10:00:00.000000Z",
        ["is_labeled"] = false,
        ["overlap"] = 1,
        ["inner_id"] = id,
        ["total_annotations"] = 0,
        ["cancelled_annotations"] = 0,
        ["total_predictions"] = 0,
        ["project"] = 1,
        ["file_upload"] = 1,
        ["annotations"] = new JsonArray(),
        ["predictions"] = new JsonArray(),
    };

    private static JsonObject WebhookBody(string action) => new()
    {
        ["action"] = action,
        ["project"] = new JsonObject { ["id"] = 1, ["label_config"] = Config("choice", "image", "image", Labels) },
        ["annotation"] = new JsonObject { ["id"] = 1, ["result"] = new JsonArray() },
    };

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string endpoint, JsonObject body)
    {
        using var response = await service.Client.PostAsJsonAsync(new Uri($"/label-studio/{endpoint}", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException(text));
    }

    private async Task<List<Answer>> BatchAnswersAsync(IReadOnlyList<string> images)
    {
        using var response = await Http.PostFormAsync(service.Client, "/predict/batch", [.. images.Select(i => (Path.GetFileName(i), File.ReadAllBytes(i), "image/jpeg"))]);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("predictions").EnumerateArray().Select(Answer.From)];
    }

    private static async Task<HttpResponseMessage> GetWithAsync(HttpClient client, string credentials)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/label-studio/health", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return await client.SendAsync(request);
    }
}
