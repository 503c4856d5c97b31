using System.Diagnostics.CodeAnalysis;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Pipeline.Core.Parameters;
using Pipeline.Storage;
using Pipeline.Storage.Hashing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Core.LockFiles;

/// <summary>Reads and writes the lock file as YAML, with keys in a fixed order so that diffs stay small.</summary>
/// <param name="path">Where the lock file lives.</param>
[SuppressMessage("Design", "CA1001", Justification = "Its SemaphoreSlim is only waited on asynchronously: without a wait handle it holds nothing to dispose.")]
public sealed class LockFileStore(string path)
{
    private const string SchemaVersion = "1";
    private const string DisplayName = "pipeline.lock";

    // Stages that run at once record themselves through one store; other processes are kept out by the repository lock.
    private readonly SemaphoreSlim recording = new(1, 1);

    /// <summary>The lock file's path.</summary>
    public string Path { get; } = path;

    /// <summary>Reads the lock file; a missing one records nothing.</summary>
    /// <exception cref="PipelineException">The file is not a lock file.</exception>
    public async Task<LockFile> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return LockFile.Empty;
        }

        return Parse(await File.ReadAllTextAsync(Path, cancellationToken), DisplayName);
    }

    /// <summary>Parses the text of a lock file, such as one read from a git revision.</summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="displayName">What the error message calls the file, such as <c>pipeline.lock at HEAD</c>.</param>
    /// <exception cref="PipelineException">The text is not a lock file.</exception>
    public static LockFile Parse(string text, string displayName)
    {
        try
        {
            return ParseYaml(text);
        }
        catch (Exception e) when (e is YamlException or InvalidCastException or KeyNotFoundException or FormatException or ArgumentException)
        {
            throw new PipelineException($"{displayName}: not a valid lock file ({e.Message}); restore it from git or delete it to re-run every stage", e);
        }
    }

    /// <summary>
    /// Records <paramref name="run"/> as <paramref name="stage"/>'s entry, keeping every other entry as the file has it
    /// now: read and written under one gate, so stages finishing at the same moment both end up recorded.
    /// </summary>
    /// <exception cref="PipelineException">The file is not a lock file.</exception>
    public async Task RecordAsync(string stage, StageLock run, CancellationToken cancellationToken)
    {
        await recording.WaitAsync(cancellationToken);
        try
        {
            await WriteAsync((await ReadAsync(cancellationToken)).With(stage, run), cancellationToken);
        }
        finally
        {
            recording.Release();
        }
    }

    /// <summary>Writes the lock file atomically.</summary>
    public Task WriteAsync(LockFile lockFile, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllBytesAsync(Path, Encoding.UTF8.GetBytes(Format(lockFile)), cancellationToken);

    /// <summary>The YAML text of a lock file.</summary>
    public static string Format(LockFile lockFile)
    {
        ArgumentNullException.ThrowIfNull(lockFile);
        var stages = new YamlMappingNode();
        foreach (var (name, stage) in lockFile.Stages)
        {
            stages.Add(name, FormatStage(stage));
        }

        var root = new YamlMappingNode { { "schema", Quoted(SchemaVersion) }, { "stages", stages } };
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        writer.WriteLine("# Written by the pipeline after each stage run; commit it with params.yaml. Do not edit by hand.");
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        return writer.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal);
    }

    private static YamlMappingNode FormatStage(StageLock stage)
    {
        var node = new YamlMappingNode { { "cmd", stage.Command } };
        node.Add("deps", FormatPaths(stage.Dependencies));
        var parameters = new YamlMappingNode();
        foreach (var (key, value) in stage.Parameters)
        {
            parameters.Add(key, FormatValue(value));
        }

        node.Add("params", parameters);
        node.Add("outs", FormatPaths(stage.Outputs));
        return node;
    }

    private static YamlSequenceNode FormatPaths(IEnumerable<PathState> paths)
    {
        var sequence = new YamlSequenceNode();
        foreach (var item in paths)
        {
            sequence.Add(FormatPath(item));
        }

        return sequence;
    }

    /// <summary>
    /// The fields of one path (path; hash, the algorithm's name; the digest under that name, such as md5; size;
    /// nfiles), shared with pointer files.
    /// </summary>
    internal static YamlMappingNode FormatPath(PathState item)
    {
        var node = new YamlMappingNode
        {
            { "path", item.Path },
            { "hash", item.Content.Hash.Algorithm.Name },
            { item.Content.Hash.Algorithm.Name, item.Content.Hash.Value },
            { "size", item.Content.Size.ToString(CultureInfo.InvariantCulture) },
        };
        if (item.Content.FileCount is { } count)
        {
            node.Add("nfiles", count.ToString(CultureInfo.InvariantCulture));
        }

        return node;
    }

    private static YamlNode FormatValue(ParameterValue value)
    {
        if (value.Items is { } items)
        {
            var sequence = new YamlSequenceNode(items.Select(FormatValue)) { Style = YamlDotNet.Core.Events.SequenceStyle.Flow };
            return sequence;
        }

        return value.Scalar is string text && ParameterValue.NeedsQuotes(text) ? Quoted(text) : new YamlScalarNode(value.ToString());
    }

    private static YamlScalarNode Quoted(string text) => new(text) { Style = ScalarStyle.DoubleQuoted };

    private static LockFile ParseYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count == 0)
        {
            return LockFile.Empty;
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var schema = ((YamlScalarNode)root["schema"]).Value;
        if (schema != SchemaVersion)
        {
            throw new FormatException($"schema '{schema}' is not the supported '{SchemaVersion}'");
        }

        var stages = ((YamlMappingNode)root["stages"]).Children.ToImmutableSortedDictionary(
            pair => ((YamlScalarNode)pair.Key).Value!,
            pair => ParseStage((YamlMappingNode)pair.Value),
            StringComparer.Ordinal);
        return new LockFile(stages);
    }

    private static StageLock ParseStage(YamlMappingNode node) => new(
        ((YamlScalarNode)node["cmd"]).Value!,
        ParsePaths(node["deps"]),
        ((YamlMappingNode)node["params"]).Children.ToImmutableSortedDictionary(
            pair => ((YamlScalarNode)pair.Key).Value!,
            pair => ParameterSet.ToValue(pair.Value, ((YamlScalarNode)pair.Key).Value!, DisplayName),
            StringComparer.Ordinal),
        ParsePaths(node["outs"]));

    private static ImmutableArray<PathState> ParsePaths(YamlNode node) =>
        [.. ((YamlSequenceNode)node).Children.Cast<YamlMappingNode>().Select(ParsePath)];

    /// <summary>Reads the fields <see cref="FormatPath"/> writes.</summary>
    internal static PathState ParsePath(YamlMappingNode node)
    {
        var algorithm = ContentHashAlgorithm.FromName(Scalar(node, "hash"));
        var hash = new ContentHash(Scalar(node, algorithm.Name), algorithm);
        var size = long.Parse(Scalar(node, "size"), CultureInfo.InvariantCulture);
        int? count = node.Children.ContainsKey("nfiles") ? int.Parse(Scalar(node, "nfiles"), CultureInfo.InvariantCulture) : null;
        return new PathState(Scalar(node, "path"), new ContentInfo(hash, size, count));
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
