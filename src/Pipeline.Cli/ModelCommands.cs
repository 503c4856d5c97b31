using System.CommandLine;
using System.Globalization;
using System.Text;
using Pipeline.Models;

namespace Pipeline.Tool;

/// <summary><c>pipeline models</c>: the model store's versions, as <c>bentoml models</c> lists, gets, deletes, exports and imports them.</summary>
internal static class ModelCommands
{
    /// <summary>The <c>models</c> command and its subcommands.</summary>
    public static Command Create()
    {
        var store = new Option<DirectoryInfo?>("--store")
        {
            Description = $"The model store (default: ${ModelStore.RootVariable}, else {ModelStore.DefaultRoot} in the repository)",
            Recursive = true,
        };
        var repository = Commands.RepositoryOption();
        repository.Recursive = true;
        ModelStore Store(ParseResult parse) => OpenStore(parse.GetValue(store), parse.GetValue(repository));

        var name = new Argument<string?>("name") { Description = "Only this model's versions", Arity = ArgumentArity.ZeroOrOne };
        var list = new Command("list", "Every stored version, newest first: tag, framework, creation time, training metrics") { name };
        list.SetAction(async (parse, ct) =>
            await Console.Out.WriteAsync(Table(await Store(parse).ListAsync(parse.GetValue(name), ct).ConfigureAwait(false)).AsMemory(), ct).ConfigureAwait(false));

        var tag = new Argument<string>("tag") { Description = "name:version, or name for its latest version" };
        var get = new Command("get", "One version's manifest (provenance, params, metrics, metadata, files), as stored") { tag };
        get.SetAction(async (parse, ct) =>
        {
            var model = await Store(parse).GetAsync(ModelTag.Parse(parse.GetValue(tag)!), ct).ConfigureAwait(false);
            await Console.Out.WriteAsync(await File.ReadAllTextAsync(Path.Combine(model.Directory, ModelManifest.FileName), ct).ConfigureAwait(false)).ConfigureAwait(false);
        });

        var delete = new Command("delete", "Removes one version; the newest remaining one becomes the latest") { tag };
        delete.SetAction(async (parse, ct) =>
            await Report("deleted", await Store(parse).DeleteAsync(ModelTag.Parse(parse.GetValue(tag)!), ct).ConfigureAwait(false)).ConfigureAwait(false));

        var archive = new Argument<FileInfo>("archive") { Description = "The archive file (.zip)" };
        var export = new Command("export", "Writes one version to an archive: the same model always gives the same bytes") { tag, archive };
        export.SetAction(async (parse, ct) =>
            await Report("exported", await Store(parse).ExportAsync(ModelTag.Parse(parse.GetValue(tag)!), parse.GetValue(archive)!.FullName, ct).ConfigureAwait(false)).ConfigureAwait(false));

        var import = new Command("import", "Adds the version in an archive, checking every file against its manifest") { archive };
        import.SetAction(async (parse, ct) =>
            await Report("imported", await Store(parse).ImportAsync(parse.GetValue(archive)!.FullName, ct).ConfigureAwait(false)).ConfigureAwait(false));

        return new Command("models", "The model store") { store, repository, list, get, delete, export, import };
    }

    private static ModelStore OpenStore(DirectoryInfo? store, DirectoryInfo? repository) =>
        store is not null ? new ModelStore(store.FullName) : ModelStore.Open(null, Commands.RootOf(repository));

    private static string Table(IReadOnlyList<StoredModel> models)
    {
        var rows = models.Select(m => new[]
        {
            m.Tag.ToString(),
            m.Manifest.Framework,
            m.Manifest.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            string.Join(' ', m.Manifest.Metrics.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:G4}"))),
        }).Prepend(["TAG", "FRAMEWORK", "CREATED (UTC)", "METRICS"]).ToList();
        var widths = Enumerable.Range(0, 3).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(string.Join("  ", row.Take(3).Select((cell, i) => cell.PadRight(widths[i])))).Append("  ").Append(row[3].TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    private static Task Report(string verb, StoredModel model) => Console.Out.WriteLineAsync($"{verb} {model.Tag}");
}
