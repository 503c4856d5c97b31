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
/// <param name="Running">The names of the queued experiments an <c>ExpRun</c> is running now.</param>
public sealed record ExperimentQueueState(
    IReadOnlyList<QueuedExperiment> Queued, IReadOnlyList<UnreadableEntry> Unreadable, IReadOnlyList<ExperimentRecord> Recorded, ExperimentStore Store, IReadOnlySet<string> Running);

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
                    ExperimentRecord record;
                    await using (await queue.MarkRunningAsync(entry.Name, RunStopping.Token))
                    {
                        record = await run.ExecuteAsync(MetricsFilesOf(graph), log, RunStopping.Token, throwOnFailure: false);
                    }

                    queue.Remove(entry.Name);
                    log.Information($"{Interlocked.Increment(ref done)} of {queued.Count} done: {entry.Name} {record.Status.ToString().ToLowerInvariant()}");
                    return record;
                }
                finally
                {
                    gate.Release();
                }
            }));
            return Checked(outcomes);
        }).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Runs the queued experiments with their remote stage somewhere else, all together: each experiment's own run
    /// brings the stages before it up to date in its work tree and hands its stage run over (a run-cache hit needs
    /// none); the <see cref="RemoteStageTarget"/> whose <see cref="RemoteStageTarget.Place"/> is <paramref name="place"/>
    /// runs every handed-over stage as one batch (one Indexed Job), <paramref name="parallelism"/> at a time; each
    /// experiment then adopts its result, runs the stages after it, and is recorded. A failed trial fails its experiment
    /// only, with the trial's log in the experiment's.
    /// </summary>
    /// <returns>The records of the experiments run.</returns>
    /// <exception cref="PipelineException">No target runs experiments at that place, or some experiments failed (each is recorded).</exception>
    [CakeMethodAlias]
    public static IReadOnlyList<ExperimentRecord> RunQueuedExperimentsElsewhere(
        this ICakeContext context, IEnumerable<IStage> stages, ExperimentSettings settings, string place, int parallelism, int retries)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var graph = WorkspaceAliases.GraphOf(stages);
        return PipelineSession.UseAsync(context, async session =>
        {
            var target = session.Adapters.RemoteStageTargets.FirstOrDefault(t => t.Place == place && t.RunTrials is not null)
                ?? throw new PipelineException($"ExpRun --on={place}: no target of this pipeline runs experiments there (places: {Places(session.Adapters)})");
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            var queue = QueuedExperiments.Of(repository);
            var (queued, _) = await queue.ListAsync(RunStopping.Token);
            var exchange = Path.Combine(ExperimentStore.Of(repository).Folder, "trials", Guid.NewGuid().ToString("N"));
            log.Information($"Running {queued.Count} queued experiments, their stage '{target.Stage}' on {place}, {parallelism} at a time");
            var markers = new List<IAsyncDisposable>();
            try
            {
                var started = new List<StartedExperiment>();
                foreach (var entry in queued)
                {
                    var run = await ExperimentRun.FromAsync(repository, settings, entry, RunStopping.Token);
                    markers.Add(await queue.MarkRunningAsync(entry.Name, RunStopping.Token));
                    var workspace = await run.CreateWorkspaceAsync(RunStopping.Token);
                    var arguments = (IReadOnlyList<string>)[$"--target={target.Target}", .. TrialHandoff.Arguments(exchange, run.Name)];
                    started.Add(new(run, workspace, DateTimeOffset.UtcNow, ExperimentRun.WhileRunningAsync(workspace, () => run.CakeAsync(workspace.Root, arguments, log, append: false, RunStopping.Token))));
                }

                var requests = new List<TrialRequest>();
                foreach (var experiment in started)
                {
                    if (await HandedOverAsync(exchange, experiment) is { } request)
                    {
                        requests.Add(request);
                    }
                }

                if (requests.Count > 0)
                {
                    var results = await target.RunTrials!.Invoke(context, new TrialBatch(requests, parallelism, retries), log, RunStopping.Token);
                    foreach (var (request, result) in requests.Zip(results))
                    {
                        await TrialHandoff.AnswerAsync(exchange, request.Experiment, result, RunStopping.Token);
                    }
                }

                var records = await Task.WhenAll(started.Select(async experiment =>
                {
                    var (run, workspace) = (experiment.Run, experiment.Workspace);
                    var exitCode = await experiment.First;
                    if (exitCode == 0)
                    {
                        exitCode = await ExperimentRun.WhileRunningAsync(workspace, () => run.CakeAsync(workspace.Root, ["--target=Repro"], log, append: true, RunStopping.Token));
                    }

                    var record = await run.RecordAsync(workspace, experiment.StartedAt, exitCode, MetricsFilesOf(graph), log, throwOnFailure: false, RunStopping.Token);
                    queue.Remove(run.Name);
                    return record;
                }));
                return Checked(records);
            }
            finally
            {
                foreach (var marker in markers)
                {
                    await marker.DisposeAsync();
                }

                if (Directory.Exists(exchange))
                {
                    Directory.Delete(exchange, recursive: true);
                }
            }
        }).GetAwaiter().GetResult();
    }

    // An experiment's first run either hands its stage over or ends without (its stage restored, or a failure).
    private static async Task<TrialRequest?> HandedOverAsync(string exchange, StartedExperiment experiment)
    {
        while (true)
        {
            if (await TrialHandoff.RequestAsync(exchange, experiment.Run.Name, RunStopping.Token) is { } request)
            {
                return request;
            }

            if (experiment.First.IsCompleted)
            {
                return null;
            }

            await Task.WhenAny(experiment.First, Task.Delay(TrialHandoff.PollInterval, RunStopping.Token));
        }
    }

    private static string Places(PipelineAdapters adapters) =>
        string.Join(", ", adapters.RemoteStageTargets.Where(t => t.RunTrials is not null && t.Place is not null).Select(t => t.Place)) is { Length: > 0 } places ? places : "none";

    private static ExperimentRecord[] Checked(ExperimentRecord[] records)
    {
        var failed = records.Where(r => r.Status == ExperimentStatus.Failed).Select(r => r.Name).ToList();
        return failed.Count == 0
            ? records
            : throw new PipelineException($"ExpRun: {failed.Count} of {records.Length} experiments failed ({string.Join(", ", failed)}); their logs and workspaces are kept (ExpQueue lists them)");
    }

    private sealed record StartedExperiment(ExperimentRun Run, ExperimentWorkspace Workspace, DateTimeOffset StartedAt, Task<int> First);

    private static List<string> MetricsFilesOf(Pipeline.Core.Graph.PipelineGraph graph) => [.. graph.Stages.SelectMany(s => s.Metrics).Distinct()];

    /// <summary>
    /// The queued experiments (and which of them are running), the queue entries that cannot be read, and the recorded
    /// experiments; read without the repository lock, so it works while <c>ExpRun</c> runs.
    /// </summary>
    [CakeMethodAlias]
    public static ExperimentQueueState ExperimentQueueState(this ICakeContext context) =>
        PipelineSession.UseAsync(context, async session =>
        {
            var store = StoreOf(context, session);
            var queue = QueuedExperiments.Of(store);
            var (queued, unreadable) = await queue.ListAsync(RunStopping.Token);
            var running = queued.Select(q => q.Name).Where(queue.IsRunning).ToHashSet(StringComparer.Ordinal);
            return new ExperimentQueueState(queued, unreadable, await store.ListAsync(RunStopping.Token), store, running);
        }).GetAwaiter().GetResult();

    /// <summary>The recorded experiments, oldest first; read without the repository lock.</summary>
    [CakeMethodAlias]
    public static IReadOnlyList<ExperimentRecord> ListExperiments(this ICakeContext context) =>
        PipelineSession.UseAsync(context, session => StoreOf(context, session).ListAsync(RunStopping.Token)).GetAwaiter().GetResult();

    private static ExperimentStore StoreOf(ICakeContext context, PipelineSession session) =>
        ExperimentStore.In(context.Environment.WorkingDirectory.FullPath, session.Options.Settings);

    /// <summary>
    /// Puts the experiment <paramref name="name"/> into the workspace: its parameters file, lock file and outputs from
    /// the cache, nothing rerun. Refuses to overwrite uncommitted changes to the parameters or lock file unless
    /// <paramref name="force"/>.
    /// </summary>
    /// <exception cref="PipelineException">No such experiment, it failed, a file has uncommitted changes, or an output is not in the cache.</exception>
    [CakeMethodAlias]
    public static void ApplyExperiment(this ICakeContext context, string name, bool force = false) =>
        PipelineSession.UseAsync(context, async session =>
        {
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var record = await ExperimentStore.Of(repository).FindAsync(name, RunStopping.Token);
            await ExperimentApply.ApplyAsync(repository, record, force, new CakePipelineLog(context.Log), RunStopping.Token);
        }).GetAwaiter().GetResult();

    /// <summary>
    /// Makes the git branch <paramref name="branch"/> from the experiment <paramref name="name"/>: a commit on its base
    /// commit with its parameters and lock file. The work tree and the current branch stay as they are.
    /// </summary>
    /// <returns>The new commit's id.</returns>
    /// <exception cref="PipelineException">No such experiment, it failed, the branch exists, or git refuses.</exception>
    [CakeMethodAlias]
    public static string BranchExperiment(this ICakeContext context, string name, string branch) =>
        PipelineSession.UseAsync(context, async session =>
        {
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var record = await ExperimentStore.Of(repository).FindAsync(name, RunStopping.Token);
            var commit = await ExperimentCommits.CommitAsync(repository, record, withRecord: false, RunStopping.Token);
            await new GitRepository(repository.Root).CreateRefAsync($"refs/heads/{branch}", commit, replace: false, RunStopping.Token);
            new CakePipelineLog(context.Log).Information($"Branch '{branch}' holds experiment '{name}' at {commit[..7]} (on {record.BaseCommit[..7]}); check it out with git switch {branch}");
            return commit;
        }).GetAwaiter().GetResult();

    /// <summary>
    /// Forgets the experiments <paramref name="names"/>: their records, logs, queue entries and kept workspaces. Their
    /// outputs stay in the cache until <c>Gc</c>, which no longer keeps them for these experiments.
    /// </summary>
    /// <exception cref="PipelineException">A name is neither recorded nor queued; nothing is removed then.</exception>
    [CakeMethodAlias]
    public static void RemoveExperiments(this ICakeContext context, IReadOnlyList<string> names) =>
        PipelineSession.UseAsync(context, async session =>
        {
            ArgumentNullException.ThrowIfNull(names);
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var store = ExperimentStore.Of(repository);
            var queue = QueuedExperiments.Of(repository);
            var unknown = names.Where(n => !store.Contains(n) && !queue.Contains(n)).ToList();
            if (unknown.Count > 0)
            {
                throw new PipelineException($"ExpRemove: no experiment named {string.Join(", ", unknown.Select(n => $"'{n}'"))} is recorded or queued (ExpQueue lists them)");
            }

            var log = new CakePipelineLog(context.Log);
            foreach (var name in names)
            {
                if (store.Contains(name) && (await store.FindAsync(name, RunStopping.Token)).Workspace is { } kept && Directory.Exists(kept))
                {
                    await new GitRepository(repository.Root).RemoveWorktreeAsync(kept, RunStopping.Token);
                }

                store.Remove(name);
                queue.Remove(name);
                log.Information($"Removed experiment '{name}'");
            }
        }).GetAwaiter().GetResult();

    /// <summary>
    /// Shares experiments: each as the ref <c>refs/experiments/NAME</c> pushed to the git remote
    /// <paramref name="gitRemote"/> (its parameters, lock file and record), and its outputs pushed to the data remote.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="names">The experiments; every succeeded one when empty.</param>
    /// <param name="gitRemote">The git remote, such as <c>origin</c>.</param>
    /// <param name="data">The data remote.</param>
    /// <returns>The names pushed.</returns>
    /// <exception cref="PipelineException">An experiment is unknown or failed, git cannot push, or objects could not be pushed.</exception>
    [CakeMethodAlias]
    public static IReadOnlyList<string> PushExperiments(this ICakeContext context, IReadOnlyList<string> names, string gitRemote, DataRemoteSettings data) =>
        PipelineSession.UseAsync(context, async session =>
        {
            ArgumentNullException.ThrowIfNull(names);
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var store = ExperimentStore.Of(repository);
            var records = names.Count == 0
                ? [.. (await store.ListAsync(RunStopping.Token)).Where(r => r.Status == ExperimentStatus.Succeeded)]
                : await Task.WhenAll(names.Select(n => store.FindAsync(n, RunStopping.Token)));
            var git = new GitRepository(repository.Root);
            var refs = new List<string>();
            foreach (var record in records)
            {
                var commit = await ExperimentCommits.CommitAsync(repository, record, withRecord: true, RunStopping.Token);
                await git.CreateRefAsync(ExperimentCommits.RefPrefix + record.Name, commit, replace: true, RunStopping.Token);
                refs.Add($"+{ExperimentCommits.RefPrefix}{record.Name}:{ExperimentCommits.RefPrefix}{record.Name}");
            }

            using var connection = await session.ConnectAsync(context, data, RunStopping.Token);
            var summary = await connection.Transfer.PushAsync(records.SelectMany(OutputsOf).Distinct(), RunStopping.Token);
            if (summary.Failed.Count > 0)
            {
                throw new PipelineException($"ExpPush: {summary.Failed.Count} objects could not be pushed to {connection.Definition} ({summary.DescribeFailures()}); nothing was pushed to git");
            }

            // Data first: a ref others can fetch never points at outputs the data remote lacks.
            await git.PushAsync(gitRemote, refs, RunStopping.Token);
            new CakePipelineLog(context.Log).Information(
                $"Pushed {Amounts.Count(records.Length, "experiment")} to {gitRemote} ({string.Join(", ", records.Select(r => r.Name))}) and {Amounts.Count(summary.Transferred, "object")} to {connection.Definition}; {summary.AlreadyThere} already there");
            return (IReadOnlyList<string>)[.. records.Select(r => r.Name)];
        }).GetAwaiter().GetResult();

    /// <summary>
    /// Fetches the experiments others pushed to the git remote <paramref name="gitRemote"/> (<c>refs/experiments/*</c>),
    /// records each, and fetches their outputs from the data remote into the cache, ready for <c>ExpApply</c>.
    /// </summary>
    /// <returns>The names of the experiments recorded.</returns>
    /// <exception cref="PipelineException">git cannot fetch, a fetched record is not readable, or objects could not be fetched.</exception>
    [CakeMethodAlias]
    public static IReadOnlyList<string> PullExperiments(this ICakeContext context, string gitRemote, DataRemoteSettings data) =>
        PipelineSession.UseAsync(context, async session =>
        {
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var git = new GitRepository(repository.Root);
            await git.FetchAsync(gitRemote, [$"+{ExperimentCommits.RefPrefix}*:{ExperimentCommits.RefPrefix}*"], RunStopping.Token);
            var records = new List<ExperimentRecord>();
            foreach (var (name, commit) in await git.RefsAsync(ExperimentCommits.RefPrefix, RunStopping.Token))
            {
                var path = ExperimentCommits.RecordPath(repository, name[ExperimentCommits.RefPrefix.Length..]);
                var text = await git.ShowAsync(commit, path, RunStopping.Token)
                    ?? throw new PipelineException($"ExpPull: {name} holds no experiment record ({path})");
                records.Add(ExperimentStore.Deserialize(text, $"{path} at {name}"));
            }

            using var connection = await session.ConnectAsync(context, data, RunStopping.Token);
            var summary = await connection.Transfer.FetchAsync(records.SelectMany(OutputsOf).Distinct(), RunStopping.Token);
            if (summary.Failed.Count > 0)
            {
                throw new PipelineException($"ExpPull: {summary.Failed.Count} objects could not be fetched from {connection.Definition} ({summary.DescribeFailures()}); no experiment was recorded");
            }

            var store = ExperimentStore.Of(repository);
            foreach (var record in records)
            {
                await store.SaveAsync(record with { Workspace = null }, RunStopping.Token);
            }

            new CakePipelineLog(context.Log).Information(
                $"Pulled {Amounts.Count(records.Count, "experiment")} from {gitRemote} ({string.Join(", ", records.Select(r => r.Name))}) and {Amounts.Count(summary.Transferred, "object")} from {connection.Definition}");
            return (IReadOnlyList<string>)[.. records.Select(r => r.Name)];
        }).GetAwaiter().GetResult();

    private static IEnumerable<Pipeline.Storage.Hashing.ContentHash> OutputsOf(ExperimentRecord record) =>
        ExperimentCommits.ReadLockFile(record).Stages.Values.SelectMany(s => s.Outputs).Select(o => o.Content.Hash);

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
            var parameters = await ExperimentCommits.ParametersOfAsync(git, repository.Settings.ParametersFile, entry.BaseCommit, entry.Overrides, cancellationToken);
            var taken = store.Contains(entry.Name) ? "recorded" : checkQueue && QueuedExperiments.Of(repository).Contains(entry.Name) ? "queued" : null;
            return taken is not null
                ? throw new PipelineException($"Exp: an experiment named '{entry.Name}' is {taken} already; choose another --name")
                : new ExperimentRun(repository, store, settings, entry.Name, entry.BaseCommit, entry.Overrides, parameters);
        }

        public async Task<ExperimentRecord> ExecuteAsync(IEnumerable<string> metricsFiles, CakePipelineLog log, CancellationToken cancellationToken, bool throwOnFailure = true)
        {
            var createdAt = DateTimeOffset.UtcNow;
            var workspace = await CreateWorkspaceAsync(cancellationToken);
            var exitCode = await WhileRunningAsync(workspace, () => CakeAsync(workspace.Root, ["--target=Repro"], log, append: false, cancellationToken));
            return await RecordAsync(workspace, createdAt, exitCode, metricsFiles, log, throwOnFailure, cancellationToken);
        }

        public Task<ExperimentWorkspace> CreateWorkspaceAsync(CancellationToken cancellationToken) =>
            ExperimentWorkspace.CreateAsync(_repository, Name, BaseCommit, _parameters, _settings.Links, cancellationToken);

        // Stopped, not failed: no record, the work tree goes, and a queued entry stays queued.
        public static async Task<int> WhileRunningAsync(ExperimentWorkspace workspace, Func<Task<int>> run)
        {
            try
            {
                return await run();
            }
            catch (OperationCanceledException)
            {
                await workspace.RemoveAsync(CancellationToken.None);
                throw;
            }
        }

        public async Task<ExperimentRecord> RecordAsync(
            ExperimentWorkspace workspace, DateTimeOffset createdAt, int exitCode, IEnumerable<string> metricsFiles, CakePipelineLog log, bool throwOnFailure, CancellationToken cancellationToken)
        {
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

        // The experiment's own Cake run, its lines in this log prefixed with its name and kept in its log file.
        public async Task<int> CakeAsync(string root, IReadOnlyList<string> arguments, CakePipelineLog log, bool append, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(_store.Folder);
            await using var file = new StreamWriter(_store.LogOf(Name), append, Encoding.UTF8);
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
            var result = await Cli.Wrap(program).WithArguments([.. runner[1..], .. arguments, .. _settings.Arguments])
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
