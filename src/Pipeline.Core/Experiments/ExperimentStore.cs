using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Pipeline.Core.Workspace;
using Pipeline.Storage;

namespace Pipeline.Core.Experiments;

/// <summary>
/// The recorded experiments of a repository, one JSON file each in <c>.pipeline/experiments/</c> (beside its log),
/// written whole by rename. Their outputs are in the shared cache, found through each record's lock file.
/// </summary>
/// <param name="folder">The folder the records are in.</param>
public sealed partial class ExperimentStore(string folder)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The folder the records are in.</summary>
    public string Folder { get; } = folder;

    /// <summary>The experiments of <paramref name="repository"/>: <c>.pipeline/experiments</c>.</summary>
    public static ExperimentStore Of(PipelineWorkspace repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return In(repository.Root, repository.Settings);
    }

    /// <summary>
    /// The experiments of the repository at <paramref name="root"/>, without opening it: reading them needs no
    /// repository lock, so they can be listed while an <c>ExpRun</c> holds it.
    /// </summary>
    public static ExperimentStore In(string root, PipelineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ExperimentStore(Path.Combine(root, settings.DataFolder, "experiments"));
    }

    /// <summary>Where the log of <paramref name="name"/> goes.</summary>
    public string LogOf(string name) => Path.Combine(Folder, $"{CheckName(name)}.log");

    /// <summary><paramref name="records"/> as one JSON array, each as its record file has it.</summary>
    public static string ToJson(IReadOnlyList<ExperimentRecord> records) => JsonSerializer.Serialize(records, Json);

    /// <summary>Whether an experiment of that name is recorded.</summary>
    public bool Contains(string name) => File.Exists(PathOf(name));

    /// <summary>The text of <paramref name="record"/>'s file.</summary>
    public static string Serialize(ExperimentRecord record) => JsonSerializer.Serialize(record, Json);

    /// <summary>A record from the text of its file.</summary>
    /// <exception cref="PipelineException">The text is not a record; the message names <paramref name="displayName"/>.</exception>
    public static ExperimentRecord Deserialize(string text, string displayName)
    {
        try
        {
            var record = JsonSerializer.Deserialize<ExperimentRecord>(text, Json);
            return record is { Name: not null, BaseCommit: not null, Overrides: not null, Parameters: not null, Metrics: not null }
                ? record
                : throw new JsonException("name, base_commit, overrides, parameters or metrics missing");
        }
        catch (JsonException e)
        {
            throw new PipelineException($"{displayName}: not an experiment record ({e.Message}); remove it or restore it", e);
        }
    }

    /// <summary>Records <paramref name="record"/>, replacing one of the same name.</summary>
    public Task SaveAsync(ExperimentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        Directory.CreateDirectory(Folder);
        return AtomicFile.WriteAllBytesAsync(PathOf(record.Name), Encoding.UTF8.GetBytes(Serialize(record)), cancellationToken);
    }

    /// <summary>The experiment named <paramref name="name"/>.</summary>
    /// <exception cref="PipelineException">None is recorded by that name, or its record cannot be read.</exception>
    public async Task<ExperimentRecord> FindAsync(string name, CancellationToken cancellationToken) =>
        Contains(name)
            ? Deserialize(await File.ReadAllTextAsync(PathOf(name), cancellationToken), PathOf(name))
            : throw new PipelineException($"--name {name}: no experiment of that name is recorded (ExpShow lists them)");

    /// <summary>Forgets <paramref name="name"/>: its record and its log (its outputs stay in the cache until Gc).</summary>
    public void Remove(string name)
    {
        File.Delete(PathOf(name));
        File.Delete(LogOf(name));
    }

    /// <summary>Every recorded experiment, oldest first.</summary>
    /// <exception cref="PipelineException">A record cannot be read; the message names its file.</exception>
    public async Task<IReadOnlyList<ExperimentRecord>> ListAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        var records = new List<ExperimentRecord>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json"))
        {
            records.Add(Deserialize(await File.ReadAllTextAsync(file, cancellationToken), file));
        }

        return [.. records.OrderBy(r => r.CreatedAt).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>Fails unless <paramref name="name"/> is usable as an experiment's name.</summary>
    /// <exception cref="PipelineException">It is not letters, digits, '.', '_' and '-'.</exception>
    public static string CheckName(string name) =>
        IsName(name) ? name : throw new PipelineException($"--name {name}: an experiment's name is letters, digits, '.', '_' and '-'");

    /// <summary>Whether <paramref name="name"/> can name an experiment: letters, digits, '.', '_' and '-'.</summary>
    public static bool IsName([NotNullWhen(true)] string? name) => Name().IsMatch(name ?? "");

    private string PathOf(string name) => Path.Combine(Folder, $"{CheckName(name)}.json");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Name();
}
