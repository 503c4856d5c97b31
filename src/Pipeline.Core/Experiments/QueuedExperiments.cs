using System.Text;
using System.Text.Json;
using Pipeline.Core.Workspace;
using Pipeline.Storage;

namespace Pipeline.Core.Experiments;

/// <summary>An experiment waiting to run: its name, the commit it runs on (fixed when queued) and its parameters.</summary>
/// <param name="Name">Its name.</param>
/// <param name="BaseCommit">The commit it runs on.</param>
/// <param name="Overrides">The parameters it sets.</param>
/// <param name="QueuedAt">When it was queued.</param>
public sealed record QueuedExperiment(string Name, string BaseCommit, IReadOnlyList<ParameterOverride> Overrides, DateTimeOffset QueuedAt);

/// <summary>A queue entry that cannot be read: its file and why.</summary>
/// <param name="File">The entry's file.</param>
/// <param name="Reason">Why it cannot be read.</param>
public sealed record UnreadableEntry(string File, string Reason);

/// <summary>
/// The experiments queued with <c>Exp --queue</c>, one file each in <c>.pipeline/experiments/queue/</c>, written whole
/// by rename and removed only once the experiment's record is written: a run stopped half-way leaves its entries queued.
/// </summary>
/// <param name="folder">The queue's folder.</param>
public sealed class QueuedExperiments(string folder)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The queue of <paramref name="repository"/>.</summary>
    public static QueuedExperiments Of(PipelineWorkspace repository) => Of(ExperimentStore.Of(repository));

    /// <summary>The queue of the experiments in <paramref name="store"/>, read without opening the repository.</summary>
    public static QueuedExperiments Of(ExperimentStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new(Path.Combine(store.Folder, "queue"));
    }

    /// <summary>
    /// Marks <paramref name="name"/> as running in this process until the result is disposed: a marker file beside the
    /// entry holding this process's id, so that a marker left by a killed run is recognised as stale.
    /// </summary>
    public async Task<IAsyncDisposable> MarkRunningAsync(string name, CancellationToken cancellationToken)
    {
        var marker = PathOf(name) + RunningSuffix;
        await AtomicFile.WriteAllBytesAsync(marker, Encoding.UTF8.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
        return new Marker(marker);
    }

    /// <summary>Whether <paramref name="name"/> is being run now by a live process.</summary>
    public bool IsRunning(string name)
    {
        var marker = PathOf(name) + RunningSuffix;
        try
        {
            return int.TryParse(File.ReadAllText(marker), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && IsAlive(pid);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Whether an experiment of that name is queued.</summary>
    public bool Contains(string name) => File.Exists(PathOf(name));

    /// <summary>Adds <paramref name="entry"/>.</summary>
    public Task AddAsync(QueuedExperiment entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Directory.CreateDirectory(folder);
        return AtomicFile.WriteAllBytesAsync(PathOf(entry.Name), Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json)), cancellationToken);
    }

    /// <summary>The queued experiments, oldest first, and the entries that cannot be read.</summary>
    public async Task<(IReadOnlyList<QueuedExperiment> Queued, IReadOnlyList<UnreadableEntry> Unreadable)> ListAsync(CancellationToken cancellationToken)
    {
        var queued = new List<QueuedExperiment>();
        var unreadable = new List<UnreadableEntry>();
        foreach (var file in Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.json") : [])
        {
            try
            {
                var entry = JsonSerializer.Deserialize<QueuedExperiment>(await File.ReadAllBytesAsync(file, cancellationToken), Json);
                if (entry is null || string.IsNullOrEmpty(entry.Name) || string.IsNullOrEmpty(entry.BaseCommit) || entry.Overrides is null)
                {
                    throw new JsonException("name, base_commit or overrides missing");
                }

                queued.Add(entry);
            }
            catch (JsonException e)
            {
                unreadable.Add(new UnreadableEntry(file, e.Message));
            }
        }

        return ([.. queued.OrderBy(q => q.QueuedAt).ThenBy(q => q.Name, StringComparer.Ordinal)], unreadable);
    }

    /// <summary>Takes <paramref name="name"/> off the queue, if it is on it.</summary>
    public void Remove(string name)
    {
        if (Contains(name))
        {
            File.Delete(PathOf(name));
        }
    }

    private const string RunningSuffix = ".running";

    private string PathOf(string name) => Path.Combine(folder, $"{ExperimentStore.CheckName(name)}.json");

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private sealed class Marker(string path) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            File.Delete(path);
            return ValueTask.CompletedTask;
        }
    }
}
