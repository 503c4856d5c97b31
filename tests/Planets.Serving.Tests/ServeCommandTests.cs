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
    public async Task Models_commands_list_get_export_and_import()
    {
        using var dir = new TempDir();
        var tag = service.Model.Tag.ToString();
        var list = await RunAsync("models", "list", "--store", service.Store);
        Assert.Equal(0, list.Code);
        Assert.Contains(tag, list.Stdout, StringComparison.Ordinal);

        var get = await RunAsync("models", "get", "latest", "--store", service.Store);
        Assert.Contains("\"signature\"", get.Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("models", "export", tag, dir["m.zip"], "--store", service.Store)).Code);
        var imported = await RunAsync("models", "import", dir["m.zip"], "--store", dir["store"]);
        Assert.Equal($"imported {tag}", imported.Stdout.Trim());
        var deleted = await RunAsync("models", "delete", tag, "--store", dir["store"]);
        Assert.Equal($"deleted {tag}", deleted.Stdout.Trim());

        // The archive the train stage writes is the same bytes as an export of the stored model.
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
