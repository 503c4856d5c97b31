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
        return new ExperimentStore(Path.Combine(repository.Root, repository.Settings.DataFolder, "experiments"));
    }

    /// <summary>Where the log of <paramref name="name"/> goes.</summary>
    public string LogOf(string name) => Path.Combine(Folder, $"{CheckName(name)}.log");

    /// <summary><paramref name="records"/> as one JSON array, each as its record file has it.</summary>
    public static string ToJson(IReadOnlyList<ExperimentRecord> records) => JsonSerializer.Serialize(records, Json);

    /// <summary>Whether an experiment of that name is recorded.</summary>
    public bool Contains(string name) => File.Exists(PathOf(name));

    /// <summary>Records <paramref name="record"/>, replacing one of the same name.</summary>
    public Task SaveAsync(ExperimentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        Directory.CreateDirectory(Folder);
        return AtomicFile.WriteAllBytesAsync(PathOf(record.Name), Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json)), cancellationToken);
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
            try
            {
                records.Add(JsonSerializer.Deserialize<ExperimentRecord>(await File.ReadAllBytesAsync(file, cancellationToken), Json)
                    ?? throw new JsonException("empty"));
            }
            catch (JsonException e)
            {
                throw new PipelineException($"{file}: not an experiment record ({e.Message}); remove it or restore it", e);
            }
        }

        return [.. records.OrderBy(r => r.CreatedAt).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>Fails unless <paramref name="name"/> is usable as an experiment's name.</summary>
    /// <exception cref="PipelineException">It is not letters, digits, '.', '_' and '-'.</exception>
    public static string CheckName(string name) =>
        Name().IsMatch(name ?? "") ? name! : throw new PipelineException($"--name {name}: an experiment's name is letters, digits, '.', '_' and '-'");

    private string PathOf(string name) => Path.Combine(Folder, $"{CheckName(name)}.json");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Name();
}
