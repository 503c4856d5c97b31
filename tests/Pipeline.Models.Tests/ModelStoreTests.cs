using System.Collections.Immutable;
using System.IO.Compression;

namespace Pipeline.Models.Tests;

public sealed class ModelStoreTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("churn:abc", "churn", "abc")]
    [InlineData("churn", "churn", "latest")]
    [InlineData("latest", "churn-model", "latest")]
    [InlineData("churn:latest", "churn", "latest")]
    public void Tags_parse_as_name_and_version(string text, string name, string version) =>
        Assert.Equal(new ModelTag(name, version), ModelTag.Parse(text, "churn-model"));

    [Theory]
    [InlineData("a:b:c")]
    [InlineData("../x:1")]
    [InlineData("x:")]
    [InlineData("")]
    public void Malformed_tags_are_refused(string text) =>
        Assert.Throws<FormatException>(() => ModelTag.Parse(text, "churn-model"));

    [Fact]
    public async Task Version_is_the_content_hash_so_saving_the_same_model_twice_gives_one_version()
    {
        var store = new ModelStore(_dir["store"]);
        var first = await store.SaveAsync(Draft("weights-1", createdAt: 1000), CancellationToken.None);
        var again = await store.SaveAsync(Draft("weights-1", createdAt: 2000), CancellationToken.None);
        var other = await store.SaveAsync(Draft("weights-2", createdAt: 3000), CancellationToken.None);

        Assert.Equal(first.Tag, again.Tag);
        Assert.NotEqual(first.Tag, other.Tag);
        Assert.Equal(ModelVersion.Length, first.Tag.Version.Length);
        Assert.Equal(2, (await store.ListAsync(null, CancellationToken.None)).Count);
        Assert.Equal("weights-1", await File.ReadAllTextAsync(first.PathOf("model.bin")));
        Assert.Equal(first.Manifest.Files.Single().Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("weights-1"u8)));
    }

    [Fact]
    public async Task Saving_a_stored_model_again_takes_the_new_provenance_so_its_export_does_not_depend_on_the_stores_past()
    {
        var used = new ModelStore(_dir["used-store"]);
        var fresh = new ModelStore(_dir["fresh-store"]);
        await used.SaveAsync(Draft("weights-1", createdAt: 1000), CancellationToken.None);

        var resaved = await used.SaveAsync(Draft("weights-1", createdAt: 2000), CancellationToken.None);
        var first = await fresh.SaveAsync(Draft("weights-1", createdAt: 2000), CancellationToken.None);
        await used.ExportAsync(resaved.Tag, _dir["used.zip"], CancellationToken.None);
        await fresh.ExportAsync(first.Tag, _dir["fresh.zip"], CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(2000), resaved.Manifest.CreatedAt);
        Assert.Equal(await File.ReadAllBytesAsync(_dir["fresh.zip"]), await File.ReadAllBytesAsync(_dir["used.zip"]));
    }

    [Fact]
    public async Task Latest_is_the_last_saved_and_moves_back_when_it_is_deleted()
    {
        var store = new ModelStore(_dir["store"]);
        var older = await store.SaveAsync(Draft("a", createdAt: 1000), CancellationToken.None);
        var newer = await store.SaveAsync(Draft("b", createdAt: 2000), CancellationToken.None);
        Assert.Equal(newer.Tag, (await store.GetAsync(ModelTag.Parse("test-model", "x"), CancellationToken.None)).Tag);

        var listed = await store.ListAsync("test-model", CancellationToken.None);
        Assert.Equal([newer.Tag, older.Tag], listed.Select(m => m.Tag));

        await store.DeleteAsync(ModelTag.Parse("test-model:latest", "x"), CancellationToken.None);
        Assert.Equal(older.Tag, (await store.GetAsync(new ModelTag("test-model", ModelTag.Latest), CancellationToken.None)).Tag);
        await Assert.ThrowsAsync<ModelNotFoundException>(() => store.GetAsync(newer.Tag, CancellationToken.None));

        await store.DeleteAsync(older.Tag, CancellationToken.None);
        Assert.Empty(await store.ListAsync(null, CancellationToken.None));
        await Assert.ThrowsAsync<ModelNotFoundException>(() => store.GetAsync(new ModelTag("test-model", ModelTag.Latest), CancellationToken.None));
    }

    [Fact]
    public async Task Provenance_params_metrics_and_typed_metadata_survive_the_store_and_its_archive()
    {
        var store = new ModelStore(_dir["store"]);
        var saved = await store.SaveAsync(Draft("w", createdAt: 1_700_000_000), CancellationToken.None);
        var read = await store.GetAsync(saved.Tag, CancellationToken.None);
        await store.ExportAsync(saved.Tag, _dir["w.zip"], CancellationToken.None);
        var imported = await new ModelStore(_dir["other"]).ImportAsync(_dir["w.zip"], CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), read.Manifest.CreatedAt);
        Assert.Equal("0123abcd", read.Manifest.GitRevision);
        Assert.Equal("0.001", read.Manifest.Params["lr"]);
        Assert.Equal(0.5, read.Manifest.Metrics["val_accuracy"]);
        Assert.Equal("test-framework", read.Manifest.Framework);
        Assert.Equal(Schema, read.Manifest.GetMetadata<InputSchema>("schema"));
        Assert.Equal(Schema, imported.Manifest.GetMetadata<InputSchema>("schema"));
        // Written as the manifest's own JSON, so a reader in any language finds it.
        Assert.Contains("\"column_names\": [", await File.ReadAllTextAsync(Path.Combine(read.Directory, ModelManifest.FileName)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_is_part_of_the_version_and_a_wrong_key_or_shape_is_a_one_line_error()
    {
        var store = new ModelStore(_dir["store"]);
        var saved = await store.SaveAsync(Draft("w", createdAt: 1), CancellationToken.None);
        var other = await store.SaveAsync(Draft("w", createdAt: 1).WithMetadata("schema", Schema with { Label = "Exited" }), CancellationToken.None);

        Assert.NotEqual(saved.Tag, other.Tag);
        var missing = Assert.Throws<ModelStoreException>(() => saved.Manifest.GetMetadata<InputSchema>("labels"));
        Assert.Equal($"model '{saved.Tag}' has no metadata 'labels'", missing.Message);
        var wrong = Assert.Throws<ModelStoreException>(() => saved.Manifest.GetMetadata<int>("schema"));
        Assert.StartsWith($"model '{saved.Tag}': metadata 'schema' is not a Int32", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_gives_the_same_bytes_every_time_and_import_restores_the_same_model()
    {
        var store = new ModelStore(_dir["store"]);
        var saved = await store.SaveAsync(Draft("weights", createdAt: 1000), CancellationToken.None);
        await store.ExportAsync(saved.Tag, _dir["a.zip"], CancellationToken.None);
        await Task.Delay(1100); // a later wall-clock second must not change the archive
        await store.ExportAsync(new ModelTag("test-model", ModelTag.Latest), _dir["b.zip"], CancellationToken.None);
        Assert.Equal(await File.ReadAllBytesAsync(_dir["a.zip"]), await File.ReadAllBytesAsync(_dir["b.zip"]));

        var other = new ModelStore(_dir["other"]);
        var imported = await other.ImportAsync(_dir["a.zip"], CancellationToken.None);
        Assert.Equal(saved.Tag, imported.Tag);
        Assert.Equal("weights", await File.ReadAllTextAsync(imported.PathOf("model.bin")));
        await other.ExportAsync(imported.Tag, _dir["c.zip"], CancellationToken.None);
        Assert.Equal(await File.ReadAllBytesAsync(_dir["a.zip"]), await File.ReadAllBytesAsync(_dir["c.zip"]));
        Assert.Equal("manifest.json", ZipFile.OpenRead(_dir["a.zip"]).Entries[0].FullName);
    }

    [Fact]
    public async Task A_tampered_archive_is_refused_and_leaves_nothing_in_the_store()
    {
        var store = new ModelStore(_dir["store"]);
        var saved = await store.SaveAsync(Draft("weights", createdAt: 1000), CancellationToken.None);
        await store.ExportAsync(saved.Tag, _dir["model.zip"], CancellationToken.None);
        using (var zip = ZipFile.Open(_dir["model.zip"], ZipArchiveMode.Update))
        {
            zip.GetEntry("model.bin")!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("model.bin").Open());
            writer.Write("WEIGHTS");
        }

        var other = new ModelStore(_dir["other"]);
        var error = await Assert.ThrowsAsync<ModelStoreException>(() => other.ImportAsync(_dir["model.zip"], CancellationToken.None));
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Empty(await other.ListAsync(null, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir["other"]));

        await File.WriteAllTextAsync(_dir["junk.zip"], "not a zip");
        await Assert.ThrowsAsync<ModelStoreException>(() => other.ImportAsync(_dir["junk.zip"], CancellationToken.None));
    }

    [Fact]
    public async Task File_names_that_could_escape_the_model_folder_are_refused()
    {
        var store = new ModelStore(_dir["store"]);
        var draft = Draft("w", createdAt: 1) with
        {
            Files = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("../evil", _dir["w.bin"])]),
        };
        await Assert.ThrowsAsync<ModelStoreException>(() => store.SaveAsync(draft, CancellationToken.None));
    }

    private ModelDraft Draft(string weights, long createdAt)
    {
        var path = _dir[$"{weights}.bin"];
        File.WriteAllText(path, weights);
        return new ModelDraft(
            "test-model",
            "test-framework",
            DateTimeOffset.FromUnixTimeSeconds(createdAt),
            "0123abcd",
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("lr", "0.001")]),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("val_accuracy", 0.5)]),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("model.bin", path)]))
            .WithMetadata("schema", Schema);
    }

    private static readonly InputSchema Schema = new(["tenure", "monthly_charges"], "Churned");

    /// <summary>Metadata of a tabular model, as a sample would keep it: any record the store's JSON can write.</summary>
    private sealed record InputSchema(ImmutableArray<string> ColumnNames, string Label)
    {
        public bool Equals(InputSchema? other) => other is not null && ColumnNames.SequenceEqual(other.ColumnNames) && Label == other.Label;

        public override int GetHashCode() => Label.GetHashCode(StringComparison.Ordinal);
    }
}
