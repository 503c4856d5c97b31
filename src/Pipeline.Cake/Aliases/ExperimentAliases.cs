using System.Collections.Immutable;
using System.Text;
using Cake.Core;
using Cake.Core.Annotations;
using CliWrap;
using Pipeline.Core;
using Pipeline.Core.Diffs;
using Pipeline.Core.Execution;
using Pipeline.Core.Experiments;
using Pipeline.Core.Git;
using Pipeline.Core.Parameters;
using Pipeline.Core.Stages;
using Pipeline.Core.Workspace;

namespace Pipeline.Cake;

/// <summary>What <see cref="ExperimentAliases.RunExperiments"/> runs.</summary>
public sealed record ExperimentSettings
{
    /// <summary>The parameters to set, as <c>key=value</c>.</summary>
    public IReadOnlyList<string> Set { get; init; } = [];

    /// <summary>Its name (a sweep's experiments are NAME-1..n); null for <c>exp-</c> and six hex digits.</summary>
    public string? Name { get; init; }

    /// <summary>Queue the experiments for <see cref="ExperimentAliases.RunQueuedExperiments"/> instead of running them.</summary>
    public bool Queue { get; init; }

    /// <summary>Untracked paths the experiment's workspace links to (such as build output); committed files are always there.</summary>
    public IReadOnlyList<string> Links { get; init; } = [];

    /// <summary>Arguments for the experiment's own <c>--target=Repro</c> run (such as <c>--raw-data=PATH</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// The command that runs Cake in the experiment's workspace: <c>dotnet cake</c>, or a repository's bootstrapper
    /// (<c>./build.sh</c>) when its pipeline definition is built from the sources first.
    /// </summary>
    public string Runner { get; init; } = "dotnet cake";
}

/// <summary>The experiment queue as <c>ExpQueue</c> shows it.</summary>
/// <param name="Queued">The experiments waiting to run, oldest first.</param>
/// <param name="Unreadable">Queue entries that cannot be read.</param>
/// <param name="Recorded">The experiments that ran, oldest first.</param>
/// <param name="Store">Where the records and logs are.</param>
public sealed record ExperimentQueueState(
    IReadOnlyList<QueuedExperiment> Queued, IReadOnlyList<UnreadableEntry> Unreadable, IReadOnlyList<ExperimentRecord> Recorded, ExperimentStore Store);

/// <summary>
/// Experiments, as <c>dvc exp run -S</c> and <c>dvc exp show</c>: the pipeline reproduced with other parameters in a
/// workspace of its own (the base commit's files), never touching the user's parameters file; outputs go to the
/// shared cache and the run-cache restores what ran before; each run is recorded with its parameters, metrics and
/// lock file.
/// </summary>
[CakeAliasCategory("Pipeline experiments")]
public static class ExperimentAliases
{
    /// <summary>
    /// Runs the experiments <see cref="ExperimentSettings.Set"/> names (a sweep names several: <c>a,b</c> or
    /// <c>range(5,20,5)</c>, their Cartesian product) one after another and records each; or queues them.
    /// </summary>
    /// <example><code>RunExperiments(stages, new ExperimentSettings { Set = ["train.lr=0.001"], Name = "lr-3" });</code></example>
    /// <exception cref="PipelineException">A key is not a parameter, a sweep does not parse, a name is taken, or a run failed (its log and workspace are kept and named).</exception>
    [CakeMethodAlias]
    public static IReadOnlyList<ExperimentRecord> RunExperiments(this ICakeContext context, IEnumerable<IStage> stages, ExperimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var graph = WorkspaceAliases.GraphOf(stages);
        return PipelineSession.UseAsync(context, async session =>
        {
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            var runs = await ExperimentRun.PlanAsync(repository, settings, RunStopping.Token);
            if (settings.Queue)
            {
                var queue = QueuedExperiments.Of(repository);
                foreach (var run in runs)
                {
                    await queue.AddAsync(new QueuedExperiment(run.Name, run.BaseCommit, run.Overrides, DateTimeOffset.UtcNow), RunStopping.Token);
                    log.Information($"Queued experiment {run.Name}: {run.Describe()}");
                }

                return (IReadOnlyList<ExperimentRecord>)[];
            }

            var records = new List<ExperimentRecord>();
            foreach (var run in runs)
            {
                log.Information($"Experiment {run.Name} on {run.BaseCommit[..7]}: {run.Describe()}");
                records.Add(await run.ExecuteAsync(MetricsFilesOf(graph), log, RunStopping.Token));
            }

            return records;
        }).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Runs the queued experiments, <paramref name="jobs"/> at a time, each in its own workspace; an entry leaves the
    /// queue once its record is written. A failure is recorded and the others go on.
    /// </summary>
    /// <returns>The records of the experiments run.</returns>
    /// <exception cref="PipelineException">Some experiments failed (each is recorded, with its log and workspace kept).</exception>
    [CakeMethodAlias]
    public static IReadOnlyList<ExperimentRecord> RunQueuedExperiments(this ICakeContext context, IEnumerable<IStage> stages, ExperimentSettings settings, int jobs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        var graph = WorkspaceAliases.GraphOf(stages);
        return PipelineSession.UseAsync(context, async session =>
        {
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            var queue = QueuedExperiments.Of(repository);
            var (queued, unreadable) = await queue.ListAsync(RunStopping.Token);
            foreach (var entry in unreadable)
            {
                log.Warning($"Skipped the queue entry {entry.File}: {entry.Reason}; fix or remove it");
            }

            log.Information($"Running {queued.Count} queued experiments, {jobs} at a time");
            using var gate = new SemaphoreSlim(jobs);
            var done = 0;
            var outcomes = await Task.WhenAll(queued.Select(async entry =>
            {
                await gate.WaitAsync(RunStopping.Token);
                try
                {
                    var run = await ExperimentRun.FromAsync(repository, settings, entry, RunStopping.Token);
                    var record = await run.ExecuteAsync(MetricsFilesOf(graph), log, RunStopping.Token, throwOnFailure: false);
                    queue.Remove(entry.Name);
                    log.Information($"{Interlocked.Increment(ref done)} of {queued.Count} done: {entry.Name} {record.Status.ToString().ToLowerInvariant()}");
                    return record;
                }
                finally
                {
                    gate.Release();
                }
            }));
            var failed = outcomes.Where(r => r.Status == ExperimentStatus.Failed).Select(r => r.Name).ToList();
            return failed.Count == 0
                ? (IReadOnlyList<ExperimentRecord>)outcomes
                : throw new PipelineException($"ExpRun: {failed.Count} of {outcomes.Length} experiments failed ({string.Join(", ", failed)}); their logs and workspaces are kept (ExpQueue lists them)");
        }).GetAwaiter().GetResult();
    }

    private static List<string> MetricsFilesOf(Pipeline.Core.Graph.PipelineGraph graph) => [.. graph.Stages.SelectMany(s => s.Metrics).Distinct()];

    /// <summary>The queued experiments, the queue entries that cannot be read, and the recorded experiments.</summary>
    [CakeMethodAlias]
    public static ExperimentQueueState ExperimentQueueState(this ICakeContext context) =>
        PipelineSession.UseAsync(context, async session =>
        {
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var store = ExperimentStore.Of(repository);
            var (queued, unreadable) = await QueuedExperiments.Of(repository).ListAsync(RunStopping.Token);
            return new ExperimentQueueState(queued, unreadable, await store.ListAsync(RunStopping.Token), store);
        }).GetAwaiter().GetResult();

    /// <summary>The recorded experiments, oldest first.</summary>
    [CakeMethodAlias]
    public static IReadOnlyList<ExperimentRecord> ListExperiments(this ICakeContext context) =>
        PipelineSession.UseAsync(context, async session => await ExperimentStore.Of(await session.OpenAsync(context, RunStopping.Token)).ListAsync(RunStopping.Token))
            .GetAwaiter().GetResult();

    /// <summary>One experiment from its settings checked to its record written.</summary>
    private sealed class ExperimentRun
    {
        private readonly PipelineWorkspace _repository;
        private readonly ExperimentStore _store;
        private readonly ExperimentSettings _settings;
        private readonly string _parameters;

        // Runs in parallel write one line at a time to one log.
        private static readonly Lock LogGate = new();

        private ExperimentRun(PipelineWorkspace repository, ExperimentStore store, ExperimentSettings settings, string name, string baseCommit, IReadOnlyList<ParameterOverride> overrides, string parameters)
        {
            (_repository, _store, _settings, Name, BaseCommit, Overrides, _parameters) = (repository, store, settings, name, baseCommit, overrides, parameters);
        }

        public string Name { get; }

        public string BaseCommit { get; }

        public IReadOnlyList<ParameterOverride> Overrides { get; }

        public string Describe() => string.Join(", ", Overrides.Select(o => $"{o.Key}={o.Value}"));

        // Everything is checked before a workspace exists: a bad key, a sweep that does not parse or a taken name
        // leaves nothing behind.
        public static async Task<List<ExperimentRun>> PlanAsync(PipelineWorkspace repository, ExperimentSettings settings, CancellationToken cancellationToken)
        {
            var git = new GitRepository(repository.Root);
            var commit = await git.HeadAsync(cancellationToken)
                ?? throw new PipelineException("Exp: an experiment runs on a commit; run 'git init' and commit the pipeline first");
            var combinations = ParameterSweep.Expand(settings.Set);
            var name = ExperimentStore.CheckName(settings.Name ?? $"exp-{Guid.NewGuid():N}"[..10]);
            var runs = new List<ExperimentRun>();
            for (var i = 0; i < combinations.Count; i++)
            {
                var entry = new QueuedExperiment(combinations.Count == 1 ? name : $"{name}-{i + 1}", commit, combinations[i], DateTimeOffset.UtcNow);
                runs.Add(await CheckedAsync(repository, settings, entry, git, checkQueue: true, cancellationToken));
            }

            return runs;
        }

        public static Task<ExperimentRun> FromAsync(PipelineWorkspace repository, ExperimentSettings settings, QueuedExperiment entry, CancellationToken cancellationToken) =>
            CheckedAsync(repository, settings, entry, new GitRepository(repository.Root), checkQueue: false, cancellationToken);

        // A planned experiment's name must be free in the records and the queue; a queued one's in the records.
        private static async Task<ExperimentRun> CheckedAsync(
            PipelineWorkspace repository, ExperimentSettings settings, QueuedExperiment entry, GitRepository git, bool checkQueue, CancellationToken cancellationToken)
        {
            var store = ExperimentStore.Of(repository);
            var file = repository.Settings.ParametersFile;
            var committed = await git.ShowAsync(entry.BaseCommit, file, cancellationToken)
                ?? throw new PipelineException($"Exp: {file} is not committed at {entry.BaseCommit[..7]}");
            var parameters = ParameterOverride.Apply(committed, file, entry.Overrides);
            var taken = store.Contains(entry.Name) ? "recorded" : checkQueue && QueuedExperiments.Of(repository).Contains(entry.Name) ? "queued" : null;
            return taken is not null
                ? throw new PipelineException($"Exp: an experiment named '{entry.Name}' is {taken} already; choose another --name")
                : new ExperimentRun(repository, store, settings, entry.Name, entry.BaseCommit, entry.Overrides, parameters);
        }

        public async Task<ExperimentRecord> ExecuteAsync(IEnumerable<string> metricsFiles, CakePipelineLog log, CancellationToken cancellationToken, bool throwOnFailure = true)
        {
            var createdAt = DateTimeOffset.UtcNow;
            var workspace = await ExperimentWorkspace.CreateAsync(_repository, Name, BaseCommit, _parameters, _settings.Links, cancellationToken);
            int exitCode;
            try
            {
                exitCode = await ReproAsync(workspace.Root, log, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopped, not failed: no record, the work tree goes, and a queued entry stays queued.
                await workspace.RemoveAsync(CancellationToken.None);
                throw;
            }

            var succeeded = exitCode == 0;
            var record = new ExperimentRecord(
                Name, BaseCommit, createdAt, succeeded ? ExperimentStatus.Succeeded : ExperimentStatus.Failed,
                Overrides.ToImmutableSortedDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal),
                ParameterSet.Parse(_parameters, _repository.Settings.ParametersFile).Values.ToImmutableSortedDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal),
                succeeded ? await MetricsAsync(workspace.Root, metricsFiles, cancellationToken) : ImmutableSortedDictionary<string, string>.Empty,
                ReadIfExists(Path.Combine(workspace.Root, _repository.Settings.LockFile)),
                succeeded ? null : workspace.Root);
            await _store.SaveAsync(record, cancellationToken);
            if (!succeeded && throwOnFailure)
            {
                throw new PipelineException($"Exp: {Name} failed (exit code {exitCode}); its log is {_store.LogOf(Name)}, its workspace {workspace.Root}");
            }

            if (succeeded)
            {
                await workspace.RemoveAsync(cancellationToken);
                log.Information($"Recorded experiment {Name}: {string.Join(", ", record.Metrics.Select(m => $"{m.Key} {m.Value}"))}");
            }

            return record;
        }

        // The experiment's own dotnet cake, its lines in this log prefixed with its name and kept in its log file.
        private async Task<int> ReproAsync(string root, CakePipelineLog log, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(_store.Folder);
            await using var file = new StreamWriter(_store.LogOf(Name), append: false, Encoding.UTF8);
            void Line(string line)
            {
                lock (LogGate)
                {
                    file.WriteLine(line);
                    log.Information($"[{Name}] {line}");
                }
            }

            var runner = _settings.Runner.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // A path like ./build.sh is the workspace's own bootstrapper, not the repository's the experiment started from.
            var program = runner[0].Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(runner[0], root) : runner[0];
            var result = await Cli.Wrap(program).WithArguments([.. runner[1..], "--target=Repro", .. _settings.Arguments])
                .WithWorkingDirectory(root)
                .WithEnvironmentVariables(new Dictionary<string, string?> { ["NO_COLOR"] = "1" })
                .WithStandardOutputPipe(PipeTarget.ToDelegate(Line))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(Line))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(cancellationToken);
            return result.ExitCode;
        }

        private static async Task<ImmutableSortedDictionary<string, string>> MetricsAsync(string root, IEnumerable<string> files, CancellationToken cancellationToken)
        {
            var metrics = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var path in files.Where(f => File.Exists(Path.Combine(root, f))))
            {
                foreach (var (key, value) in MetricsFile.Parse(await File.ReadAllTextAsync(Path.Combine(root, path), cancellationToken), path))
                {
                    metrics[$"{path}:{key}"] = value;
                }
            }

            return metrics.ToImmutable();
        }

        private static string? ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
