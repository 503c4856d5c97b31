using Microsoft.Extensions.Options;
using Pipeline.Models;
using Planets.Serving.Inference;

namespace Planets.Serving.Cli;

/// <summary>
/// The program's commands: <c>serve</c> runs the prediction service (as <c>bentoml serve</c>), <c>label</c> the
/// labeling page, <c>probe</c> the container's health check. The model store itself is the <c>pipeline</c> tool's
/// (<c>dotnet pipeline models list</c>).
/// </summary>
public static class ServingCommandLine
{
    private const string Usage = """
        usage: Planets.Serving [serve] [--model TAG] [--store DIR] [--urls URLS] [--max-batch-size N] [--max-batch-wait-ms MS]
                               [--queue-capacity N] [--max-image-bytes N] [--inference-threads N]
                               [--label-studio-host URL] [--label-studio-local-files DIR] [--label-studio-allowed-hosts H1,H2]
               Planets.Serving label --images DIR [--out FILE] [--editor DIR] [--model TAG] [--store DIR] [--urls URLS]
               Planets.Serving probe [URL]
        TAG is name:version, name (its latest version) or latest (planets-classifier's latest).
        label serves the labeling page at /label: the images of DIR pre-labelled by the model, least confident first, in
        the Label Studio editor; each submit rewrites FILE (default labeling/annotations.json) and its .min.json.
        The model store is --store, else $PIPELINE_MODEL_STORE, else .pipeline/models; list, export or import its
        models with the pipeline tool: dotnet pipeline models --help.
        probe exits 0 when URL (default http://127.0.0.1:3000/readyz) answers 2xx: a container health check that
        needs no shell or curl in the image.
        """;

    private const string DefaultProbeUrl = "http://127.0.0.1:3000/readyz";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

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
