using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Planets.Models;
using Planets.Serving.Inference;

namespace Planets.Serving.Cli;

/// <summary>
/// The program's commands: <c>serve</c> runs the prediction service, <c>models</c> lists, shows, deletes, exports and
/// imports models of the store (as <c>bentoml serve</c> and <c>bentoml models</c>).
/// </summary>
public static class ServingCommandLine
{
    private const string Usage = """
        usage: Planets.Serving [serve] [--model TAG] [--store DIR] [--urls URLS] [--max-batch-size N] [--max-batch-wait-ms MS]
                               [--queue-capacity N] [--max-image-bytes N] [--inference-threads N]
                               [--label-studio-host URL] [--label-studio-local-files DIR] [--label-studio-allowed-hosts H1,H2]
               Planets.Serving label --images DIR [--out FILE] [--editor DIR] [--model TAG] [--store DIR] [--urls URLS]
               Planets.Serving models list [NAME] [--store DIR]
               Planets.Serving models get TAG [--store DIR]
               Planets.Serving models delete TAG [--store DIR]
               Planets.Serving models export TAG FILE [--store DIR]
               Planets.Serving models import FILE [--store DIR]
               Planets.Serving probe [URL]
        TAG is name:version, name (its latest version) or latest (planets-classifier's latest).
        label serves the labeling page at /label: the images of DIR pre-labelled by the model, least confident first, in
        the Label Studio editor; each submit rewrites FILE (default labeling/annotations.json) and its .min.json.
        The model store is --store, else $PLANETS_MODEL_STORE, else .pipeline/models.
        probe exits 0 when URL (default http://127.0.0.1:3000/readyz) answers 2xx: a container health check that
        needs no shell or curl in the image.
        """;

    private const string DefaultProbeUrl = "http://127.0.0.1:3000/readyz";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    private static readonly JsonSerializerOptions ManifestJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>Runs the command line and returns the exit code (0 ok, 1 the user's error).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            return args switch
            {
                ["-h" or "--help" or "help"] => Help(stdout),
                [] or [['-', '-', ..], ..] => await ServeAsync(args, stderr).ConfigureAwait(false),
                ["serve", .. var rest] => await ServeAsync(rest, stderr).ConfigureAwait(false),
                ["label", .. var rest] when rest.Contains("--images") => await ServeAsync(rest, stderr).ConfigureAwait(false),
                ["models", .. var rest] => await ModelsAsync(rest, stdout).ConfigureAwait(false),
                ["probe"] => await ProbeAsync(DefaultProbeUrl, stderr).ConfigureAwait(false),
                ["probe", var url] => await ProbeAsync(url, stderr).ConfigureAwait(false),
                _ => Fail(stderr, Usage),
            };
        }
        catch (Exception ex) when (ex is ModelStoreException or FormatException or ArgumentException or InvalidOperationException)
        {
            return Fail(stderr, $"error: {ex.Message}");
        }
    }

    private static async Task<int> ServeAsync(string[] args, TextWriter stderr)
    {
        await using var app = ServingApp.Build(args);
        var options = app.Services.GetRequiredService<IOptions<ServingOptions>>().Value;
        // Fail now, with one line, rather than start a service that can never become ready.
        var model = await ModelStore.Open(options.Store)
            .GetAsync(ModelTag.Parse(options.Model, options.DefaultModelName), CancellationToken.None).ConfigureAwait(false);
        await stderr.WriteLineAsync($"serve: model {model.Tag} from {model.Directory}").ConfigureAwait(false);
        await app.RunAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }

    private static async Task<int> ProbeAsync(string url, TextWriter stderr)
    {
        using var client = new HttpClient { Timeout = ProbeTimeout };
        try
        {
            using var response = await client.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? 0 : Fail(stderr, $"probe: {url} answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return Fail(stderr, $"probe: {url}: {ex.Message}");
        }
    }

    private static async Task<int> ModelsAsync(string[] args, TextWriter stdout)
    {
        var (positionals, storeRoot) = SplitStore(args);
        var store = ModelStore.Open(storeRoot);
        using var cancellation = new CancellationTokenSource();
        var ct = cancellation.Token;
        switch (positionals)
        {
            case ["list", .. var name] when name.Length <= 1:
                await ListAsync(store, name.FirstOrDefault(), stdout, ct).ConfigureAwait(false);
                return 0;
            case ["get", var tag]:
                var model = await store.GetAsync(Parse(tag), ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(JsonSerializer.Serialize(model.Manifest, ManifestJson)).ConfigureAwait(false);
                return 0;
            case ["delete", var tag]:
                var deleted = await store.DeleteAsync(Parse(tag), ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"deleted {deleted.Tag}").ConfigureAwait(false);
                return 0;
            case ["export", var tag, var file]:
                var exported = await store.ExportAsync(Parse(tag), file, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"exported {exported.Tag} to {file}").ConfigureAwait(false);
                return 0;
            case ["import", var file]:
                var imported = await store.ImportAsync(file, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"imported {imported.Tag}").ConfigureAwait(false);
                return 0;
            default:
                throw new ArgumentException(Usage);
        }
    }

    private static async Task ListAsync(ModelStore store, string? name, TextWriter stdout, CancellationToken cancellationToken)
    {
        var models = await store.ListAsync(name, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"{"TAG",-45} {"FRAMEWORK",-12} {"VAL_ACCURACY",-12} CREATED").ConfigureAwait(false);
        foreach (var m in models)
        {
            var accuracy = m.Manifest.Metrics.TryGetValue("val_accuracy", out var a) ? a.ToString("F4", CultureInfo.InvariantCulture) : "-";
            await stdout.WriteLineAsync(
                $"{m.Tag,-45} {m.Manifest.Framework,-12} {accuracy,-12} {m.Manifest.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}").ConfigureAwait(false);
        }
    }

    private static ModelTag Parse(string tag) => ModelTag.Parse(tag, new ServingOptions().DefaultModelName);

    private static (string[] Positionals, string? Store) SplitStore(string[] args)
    {
        var index = Array.IndexOf(args, "--store");
        return index < 0 || index + 1 >= args.Length ? (args, null) : ([.. args[..index], .. args[(index + 2)..]], args[index + 1]);
    }

    private static int Help(TextWriter stdout)
    {
        stdout.WriteLine(Usage);
        return 0;
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        return 1;
    }
}
