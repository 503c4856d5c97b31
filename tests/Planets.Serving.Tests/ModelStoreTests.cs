using System.Collections.Immutable;
using System.IO.Compression;
using Planets.Models;
using Planets.Models.Preprocessing;

namespace Planets.Serving.Tests;

public sealed class ModelStoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("planets:abc", "planets", "abc")]
    [InlineData("planets", "planets", "latest")]
    [InlineData("latest", "planets-classifier", "latest")]
    [InlineData("planets:latest", "planets", "latest")]
    public void Tags_parse_as_name_and_version(string text, string name, string version) =>
        Assert.Equal(new ModelTag(name, version), ModelTag.Parse(text, "planets-classifier"));

    [Theory]
    [InlineData("a:b:c")]
    [InlineData("../x:1")]
    [InlineData("x:")]
    [InlineData("")]
    public void Malformed_tags_are_refused(string text) =>
        Assert.Throws<FormatException>(() => ModelTag.Parse(text, "planets-classifier"));

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
    public async Task Metadata_and_signature_survive_the_store()
    {
        var store = new ModelStore(_dir["store"]);
        var saved = await store.SaveAsync(Draft("w", createdAt: 1_700_000_000), CancellationToken.None);
        var read = await store.GetAsync(saved.Tag, CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), read.Manifest.CreatedAt);
        Assert.Equal("0123abcd", read.Manifest.GitRevision);
        Assert.Equal(["Earth", "Mars"], read.Manifest.Labels.ToArray());
        Assert.Equal(new PreprocessOptions(32, 32, true), read.Manifest.Preprocessing);
        Assert.Equal("0.001", read.Manifest.Params["lr"]);
        Assert.Equal(0.5, read.Manifest.Metrics["val_accuracy"]);
        Assert.Equal([-1L, 1, 32, 32], read.Manifest.Signature.Inputs.Single().Shape.ToArray());
        Assert.Equal("test-framework", read.Manifest.Framework);
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
        TensorSpec Spec(string name, params long[] shape) => new(name, "float32", [.. shape]);
        return new ModelDraft(
            "test-model",
            "test-framework",
            DateTimeOffset.FromUnixTimeSeconds(createdAt),
            "0123abcd",
            ["Earth", "Mars"],
            new PreprocessOptions(32, 32, true),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("lr", "0.001")]),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("val_accuracy", 0.5)]),
            new ModelSignature([Spec("image", -1, 1, 32, 32)], [Spec("probabilities", -1, 2)]),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("model.bin", path)]));
    }
}
