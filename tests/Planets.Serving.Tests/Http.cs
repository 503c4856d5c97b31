using System.Net.Http.Headers;
using System.Text.Json;

namespace Planets.Serving.Tests;

/// <summary>Request helpers and the answer's shape.</summary>
public static class Http
{
    public static async Task<HttpResponseMessage> PostImageAsync(HttpClient client, byte[] body, string contentType, string path = "/predict")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, params (string Name, byte[] Body, string ContentType)[] files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, body, type) in files)
        {
            var part = new ByteArrayContent(body);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            form.Add(part, "files", name);
        }

        return await client.PostAsync(new Uri(path, UriKind.Relative), form);
    }

    public static async Task<Answer> ReadAnswerAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        return Answer.From(json.RootElement);
    }

    /// <summary>Asserts an RFC 7807 answer with <paramref name="status"/> and no trace of server internals.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("title").GetString()));
        return json.RootElement.Clone();
    }
}

/// <summary>The <c>{"prediction": ..., "probabilities": {...}}</c> answer.</summary>
public sealed record Answer(string Prediction, IReadOnlyList<KeyValuePair<string, float>> Probabilities)
{
    public static Answer From(JsonElement element) => new(
        element.GetProperty("prediction").GetString()!,
        [.. element.GetProperty("probabilities").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetSingle()))]);
}
