using System.Collections.Immutable;
using System.Diagnostics;

namespace Pipeline.Models.Tests;

/// <summary><c>pipeline models</c> as a user runs it: the built tool, in a process, from a folder inside the repository.</summary>
public sealed class ModelCommandsTests : IDisposable
{
    private readonly TempFolder _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task List_get_export_import_and_delete_work_on_the_repositorys_store_from_any_folder_inside_it()
    {
        var store = new ModelStore(_repository[ModelStore.DefaultRoot]);
        var older = await store.SaveAsync(Draft("churn", "weights-1", createdAt: 1_700_000_000, accuracy: 0.8125), CancellationToken.None);
        var newer = await store.SaveAsync(Draft("churn", "weights-2", createdAt: 1_700_000_060, accuracy: 0.875), CancellationToken.None);
        var inside = Directory.CreateDirectory(_repository["src/deep"]).FullName;

        var list = await PipelineAsync(inside, "models", "list");
        Assert.Equal(0, list.Code);
        var rows = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TAG", rows[0], StringComparison.Ordinal);
        Assert.StartsWith($"{newer.Tag}  test       2023-11-14 22:14:20  accuracy=0.875", rows[1], StringComparison.Ordinal);
        Assert.StartsWith(older.Tag.ToString(), rows[2], StringComparison.Ordinal);

        var get = await PipelineAsync(inside, "models", "get", "churn");
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(newer.Directory, ModelManifest.FileName)), get.Stdout);

        var archive = _repository["out/churn.zip"];
        Assert.Equal($"exported {older.Tag}\n", (await PipelineAsync(inside, "models", "export", older.Tag.ToString(), archive)).Stdout);
        var other = _repository["other-store"];
        Assert.Equal($"imported {older.Tag}\n", (await PipelineAsync(inside, "models", "import", archive, "--store", other)).Stdout);
        Assert.Equal(older.Tag, (await new ModelStore(other).GetAsync(older.Tag, CancellationToken.None)).Tag);

        Assert.Equal($"deleted {newer.Tag}\n", (await PipelineAsync(inside, "models", "delete", "churn:latest")).Stdout);
        Assert.Equal(older.Tag, (await store.GetAsync(new ModelTag("churn", ModelTag.Latest), CancellationToken.None)).Tag);
    }

    [Theory]
    [InlineData("Error: model 'churn:latest' is not in the store", "models", "get", "churn")]
    [InlineData("Error: 'latest' alone names no model here (expected name:version or name)", "models", "get", "latest")]
    [InlineData("Error: 'a:b:c' is not a model tag (expected name:version, name or latest)", "models", "delete", "a:b:c")]
    public async Task A_bad_tag_or_a_missing_model_is_one_line_and_exit_code_1(string error, params string[] arguments)
    {
        var result = await PipelineAsync(_repository.Path, arguments);

        Assert.Equal(1, result.Code);
        Assert.Equal(error, result.Stderr.Trim());
    }

    [Fact]
    public async Task A_file_that_is_not_an_archive_is_refused_and_leaves_the_store_empty()
    {
        var junk = _repository.Write("junk.zip", "not a zip");

        var result = await PipelineAsync(_repository.Path, "models", "import", junk);

        Assert.Equal(1, result.Code);
        Assert.StartsWith($"Error: {junk}: not a model archive", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(await new ModelStore(_repository[ModelStore.DefaultRoot]).ListAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_option_value_is_a_usage_error()
    {
        var result = await PipelineAsync(_repository.Path, "models", "list", "--store");

        Assert.Equal(1, result.Code);
        Assert.StartsWith("Error: Required argument missing for option: '--store' (see pipeline models list --help)", result.Stderr, StringComparison.Ordinal);
    }

    private ModelDraft Draft(string name, string weights, long createdAt, double accuracy) =>
        new(name, "test", DateTimeOffset.FromUnixTimeSeconds(createdAt), null,
            ImmutableSortedDictionary<string, string>.Empty,
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("accuracy", accuracy)]),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("model.bin", _repository.Write($"{weights}.bin", weights))]));

    private static async Task<(int Code, string Stdout, string Stderr)> PipelineAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "pipeline.dll"), .. arguments])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove(ModelStore.RootVariable);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
