using System.Collections.Immutable;
using System.Globalization;
using Pipeline.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Remotes.Configuration;

/// <summary>
/// Reads the remotes: <c>pipeline.remotes.yaml</c> at the repository root (committed, so every clone knows where the
/// data is) and, over it, <c>.pipeline/config.local</c> (git-ignored: credentials and personal overrides).
/// </summary>
/// <remarks>
/// A YAML file of its own rather than a <c>cake.config</c> section: a remote has nested fields, Cake flattens its INI
/// configuration to <c>Section_Key</c>, and code that runs without Cake (tests, benchmarks, the runner's
/// <c>--pull</c>) must read the same file. <c>.pipeline/</c> as a whole is git-ignored, hence the committed file at the root.
/// </remarks>
public static class RemoteConfigFile
{
    /// <summary>The committed file, relative to the repository root.</summary>
    public const string FileName = "pipeline.remotes.yaml";

    /// <summary>The git-ignored overrides, relative to the repository root.</summary>
    public const string LocalFileName = ".pipeline/config.local";

    private static readonly string[] CommonFields = ["url", "jobs"];

    /// <summary>
    /// Reads both files under <paramref name="repositoryRoot"/>, each remote checked against the kind its URL names
    /// among <paramref name="kinds"/>; missing files configure nothing.
    /// </summary>
    /// <exception cref="PipelineException">A file is malformed; the message names the file and the field.</exception>
    public static async Task<RemoteConfig> LoadAsync(string repositoryRoot, RemoteKinds kinds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var committed = await ReadAsync(repositoryRoot, FileName, cancellationToken);
        var local = await ReadAsync(repositoryRoot, LocalFileName, cancellationToken);
        return Merge(committed, local, kinds);
    }

    /// <summary>Parses the text of one file into its fields, before merging.</summary>
    /// <exception cref="PipelineException">The text is not a remotes file.</exception>
    internal static ParsedFile Parse(string text, string fileName)
    {
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
        }
        catch (YamlException e)
        {
            throw new PipelineException($"{fileName}: not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }

        if (root is null)
        {
            return new ParsedFile(fileName, null, []);
        }

        CheckKeys(root, fileName, "", ["default", "remotes"]);
        var remotes = root.Children.TryGetValue("remotes", out var node) ? ParseRemotes(node, fileName) : [];
        var defaultName = root.Children.TryGetValue("default", out var value) ? Scalar(value, fileName, "default") : null;
        return new ParsedFile(fileName, defaultName, remotes);
    }

    private static async Task<ParsedFile> ReadAsync(string root, string relative, CancellationToken cancellationToken)
    {
        var path = Path.Combine(root, relative);
        return File.Exists(path)
            ? Parse(await File.ReadAllTextAsync(path, cancellationToken), relative)
            : new ParsedFile(relative, null, []);
    }

    private static Dictionary<string, Dictionary<string, Field>> ParseRemotes(YamlNode node, string fileName)
    {
        if (node is not YamlMappingNode remotes)
        {
            throw new PipelineException($"{fileName}: remotes: expected a mapping of remote names to their url and options");
        }

        var parsed = new Dictionary<string, Dictionary<string, Field>>(StringComparer.Ordinal);
        foreach (var (key, value) in remotes.Children)
        {
            var name = Scalar(key, fileName, "remotes");
            var where = $"remotes.{name}";
            if (value is not YamlMappingNode fields)
            {
                throw new PipelineException($"{fileName}: {where}: expected a mapping with url: and options");
            }

            parsed[name] = fields.Children.ToDictionary(
                pair => ((YamlScalarNode)pair.Key).Value!,
                pair => new Field(Scalar(pair.Value, fileName, $"{where}.{pair.Key}"), fileName),
                StringComparer.Ordinal);
        }

        return parsed;
    }

    private static void CheckKeys(YamlMappingNode node, string fileName, string where, string[] allowed)
    {
        foreach (var key in node.Children.Keys.Select(k => (k as YamlScalarNode)?.Value ?? ""))
        {
            if (!allowed.Contains(key))
            {
                throw new PipelineException($"{fileName}: {where}{key}: unknown field; expected one of {string.Join(", ", allowed)}");
            }
        }
    }

    private static string Scalar(YamlNode node, string fileName, string where) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw new PipelineException($"{fileName}: {where}: expected a single value");

    private static RemoteConfig Merge(ParsedFile committed, ParsedFile local, RemoteKinds kinds)
    {
        var names = committed.Remotes.Keys.Union(local.Remotes.Keys, StringComparer.Ordinal);
        var remotes = names.ToImmutableSortedDictionary(
            name => name,
            name => Build(name, MergeFields(committed.Remotes.GetValueOrDefault(name), local.Remotes.GetValueOrDefault(name)), kinds),
            StringComparer.Ordinal);
        var defaultName = local.Default ?? committed.Default;
        if (defaultName is not null && !remotes.ContainsKey(defaultName))
        {
            var file = local.Default is not null ? local.FileName : committed.FileName;
            throw new PipelineException($"{file}: default: '{defaultName}' is not a configured remote; configured: {string.Join(", ", remotes.Keys)}");
        }

        return new RemoteConfig(remotes, defaultName);
    }

    private static Dictionary<string, Field> MergeFields(Dictionary<string, Field>? committed, Dictionary<string, Field>? local)
    {
        var merged = new Dictionary<string, Field>(committed ?? [], StringComparer.Ordinal);
        foreach (var (key, field) in local ?? [])
        {
            merged[key] = field;
        }

        return merged;
    }

    private static RemoteDefinition Build(string name, Dictionary<string, Field> fields, RemoteKinds kinds)
    {
        var where = $"remotes.{name}";
        if (!fields.TryGetValue("url", out var url) || string.IsNullOrWhiteSpace(url.Value))
        {
            var file = fields.Values.FirstOrDefault()?.FileName ?? FileName;
            throw new PipelineException($"{file}: {where}.url: missing; expected {kinds.UrlForms}");
        }

        var remote = new RemoteDefinition(name, url.Value.Trim())
        {
            Jobs = fields.TryGetValue("jobs", out var jobs) ? Jobs(jobs, $"{where}.jobs") : null,
        };
        var kind = kinds.KindOf(remote, url.FileName);
        string[] allowed = [.. CommonFields, .. kind.Settings];
        var settings = new List<KeyValuePair<string, RemoteSetting>>();
        foreach (var (key, field) in fields.Where(f => !CommonFields.Contains(f.Key)))
        {
            if (!allowed.Contains(key))
            {
                throw new PipelineException($"{field.FileName}: {where}.{key}: unknown field; expected one of {string.Join(", ", allowed)}");
            }

            var secret = kind.SecretSettings.Contains(key);
            if (secret && field.FileName != LocalFileName)
            {
                throw new PipelineException(
                    $"{field.FileName}: {where}.{key}: credentials do not belong in a committed file; put them in {LocalFileName} or the environment");
            }

            settings.Add(KeyValuePair.Create(key, new RemoteSetting(field.Value.Trim(), field.FileName, secret)));
        }

        remote = remote with { Settings = settings.ToImmutableSortedDictionary(StringComparer.Ordinal) };
        kind.Validate(remote);
        return remote;
    }

    private static int Jobs(Field field, string where) =>
        int.TryParse(field.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var jobs) && jobs > 0
            ? jobs
            : throw new PipelineException($"{field.FileName}: {where}: '{field.Value}' is not a positive whole number");

    /// <summary>One field's text and the file it came from, so that an error names the right file.</summary>
    internal sealed record Field(string Value, string FileName);

    /// <summary>One file's content before merging.</summary>
    internal sealed record ParsedFile(string FileName, string? Default, Dictionary<string, Dictionary<string, Field>> Remotes);
}
