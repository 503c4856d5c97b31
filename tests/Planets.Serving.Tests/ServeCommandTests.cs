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
        Assert.Equal("error: model 'planets-classifier:nope' is not in the store", stderr.Trim());
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
