using Pipeline.Models;
using Planets.Serving.Cli;

namespace Planets.Serving.Tests;

[Collection(ServiceGroup.Name)]
public sealed class ServeCommandTests(ServiceFixture service)
{
    [Fact]
    public async Task Serve_with_a_model_missing_from_the_store_fails_with_one_line()
    {
        using var dir = new TempDir();
        var (code, _, stderr) = await RunAsync("serve", "--store", dir["store"], "--model", "planets-classifier:nope", "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, code);
        Assert.Equal("Error: model 'planets-classifier:nope' is not in the store", stderr.Trim());
    }

    [Theory]
    [InlineData("Error: Required argument missing for option: '--store' (see ", "serve", "--store")]
    [InlineData("Error: Option '--images' is required (see ", "label", "--urls", "http://127.0.0.1:0")]
    [InlineData("Error: Unrecognized command or argument '--port=3000' (see ", "--port=3000")]
    [InlineData("Error: probe: 'localhost:3000' is not an http:// or https:// address (see ", "probe", "localhost:3000")]
    public async Task A_wrong_command_line_is_one_error_line_and_exit_code_1(string expected, params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);

        Assert.Equal(1, code);
        Assert.StartsWith(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Help_lists_the_commands_and_the_services_switches_and_exits_0()
    {
        var (code, stdout, stderr) = await RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        foreach (var expected in new[] { "serve", "label", "probe", "--max-batch-size", "--urls", "--version" })
        {
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_deployments_environment_names_options_the_service_has_and_logs_predictions_into_its_volume()
    {
        var manifest = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "kubernetes", "deployment.yaml"));

        // PLANETS_SERVING_Serving__Name binds Serving:Name: a renamed option would silently stop a pod's logging.
        var names = System.Text.RegularExpressions.Regex.Matches(manifest, @"name: PLANETS_SERVING_Serving__(\w+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["PredictionLog", "PredictionLogMaxBytes", "PredictionLogRemote", "PredictionLogRemoteEndpoint"], names);
        Assert.All(names, name => Assert.NotNull(typeof(Planets.Serving.Inference.ServingOptions).GetProperty(name)));
        Assert.Contains("value: /var/log/predictions", manifest, StringComparison.Ordinal);
        Assert.Contains("mountPath: /var/log/predictions", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_of_an_address_that_does_not_answer_fails_with_one_line()
    {
        var (code, _, stderr) = await RunAsync("probe", "http://127.0.0.1:1/readyz");

        Assert.Equal(1, code);
        Assert.StartsWith("Error: probe: http://127.0.0.1:1/readyz: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_archive_the_train_stage_writes_is_the_export_of_the_stored_model()
    {
        using var dir = new TempDir();
        await new ModelStore(service.Store).ExportAsync(service.Model.Tag, dir["m.zip"], CancellationToken.None);

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(service.ModelDir, "planets-classifier.zip")), await File.ReadAllBytesAsync(dir["m.zip"]));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await ServingCommandLine.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
