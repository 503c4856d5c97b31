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

/// <summary>What <see cref="ExperimentAliases.RunExperiment"/> runs.</summary>
public sealed record ExperimentSettings
{
    /// <summary>The parameters to set, as <c>key=value</c>.</summary>
    public IReadOnlyList<string> Set { get; init; } = [];

    /// <summary>Its name; null for <c>exp-</c> and six hex digits.</summary>
    public string? Name { get; init; }

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

/// <summary>
/// Experiments, as <c>dvc exp run -S</c> and <c>dvc exp show</c>: the pipeline reproduced with other parameters in a
/// workspace of its own (the base commit's files), never touching the user's parameters file; outputs go to the
/// shared cache and the run-cache restores what ran before; each run is recorded with its parameters, metrics and
/// lock file.
/// </summary>
[CakeAliasCategory("Pipeline experiments")]
public static class ExperimentAliases
{
    /// <summary>Runs one experiment and records it.</summary>
    /// <example><code>RunExperiment(stages, new ExperimentSettings { Set = ["train.lr=0.001"], Name = "lr-3" });</code></example>
    /// <exception cref="PipelineException">A key is not a parameter, the name is taken, or the run failed (its log and workspace are kept and named).</exception>
    [CakeMethodAlias]
    public static ExperimentRecord RunExperiment(this ICakeContext context, IEnumerable<IStage> stages, ExperimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var graph = WorkspaceAliases.GraphOf(stages);
        return PipelineSession.UseAsync(context, async session =>
        {
            var repository = await session.OpenAsync(context, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            var store = ExperimentStore.Of(repository);
            var run = await ExperimentRun.PrepareAsync(repository, store, settings, RunStopping.Token);
            log.Information($"Experiment {run.Name} on {run.BaseCommit[..7]}: {string.Join(", ", run.Overrides.Select(o => $"{o.Key}={o.Value}"))}");
            return await run.ExecuteAsync(graph.Stages.SelectMany(s => s.Metrics).Distinct(), log, RunStopping.Token);
        }).GetAwaiter().GetResult();
    }

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

        private ExperimentRun(PipelineWorkspace repository, ExperimentStore store, ExperimentSettings settings, string name, string baseCommit, IReadOnlyList<ParameterOverride> overrides, string parameters)
        {
            (_repository, _store, _settings, Name, BaseCommit, Overrides, _parameters) = (repository, store, settings, name, baseCommit, overrides, parameters);
        }

        public string Name { get; }

        public string BaseCommit { get; }

        public IReadOnlyList<ParameterOverride> Overrides { get; }

        // Everything is checked before a workspace exists: a bad key or a taken name leaves nothing behind.
        public static async Task<ExperimentRun> PrepareAsync(PipelineWorkspace repository, ExperimentStore store, ExperimentSettings settings, CancellationToken cancellationToken)
        {
            var git = new GitRepository(repository.Root);
            var commit = await git.HeadAsync(cancellationToken)
                ?? throw new PipelineException("Exp: an experiment runs on a commit; run 'git init' and commit the pipeline first");
            var overrides = settings.Set.Select(ParameterOverride.Parse).ToList();
            var file = repository.Settings.ParametersFile;
            var committed = await git.ShowAsync(commit, file, cancellationToken) ?? throw new PipelineException($"Exp: {file} is not committed at {commit[..7]}");
            var parameters = ParameterOverride.Apply(committed, file, overrides);
            var name = ExperimentStore.CheckName(settings.Name ?? $"exp-{Guid.NewGuid():N}"[..10]);
            return store.Contains(name)
                ? throw new PipelineException($"Exp: an experiment named '{name}' is recorded already; choose another --name")
                : new ExperimentRun(repository, store, settings, name, commit, overrides, parameters);
        }

        public async Task<ExperimentRecord> ExecuteAsync(IEnumerable<string> metricsFiles, CakePipelineLog log, CancellationToken cancellationToken)
        {
            var createdAt = DateTimeOffset.UtcNow;
            var workspace = await ExperimentWorkspace.CreateAsync(_repository, Name, BaseCommit, _parameters, _settings.Links, cancellationToken);
            var exitCode = await ReproAsync(workspace.Root, log, cancellationToken);
            var succeeded = exitCode == 0;
            var record = new ExperimentRecord(
                Name, BaseCommit, createdAt, succeeded ? ExperimentStatus.Succeeded : ExperimentStatus.Failed,
                Overrides.ToImmutableSortedDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal),
                ParameterSet.Parse(_parameters, _repository.Settings.ParametersFile).Values.ToImmutableSortedDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal),
                succeeded ? await MetricsAsync(workspace.Root, metricsFiles, cancellationToken) : ImmutableSortedDictionary<string, string>.Empty,
                ReadIfExists(Path.Combine(workspace.Root, _repository.Settings.LockFile)),
                succeeded ? null : workspace.Root);
            await _store.SaveAsync(record, cancellationToken);
            if (!succeeded)
            {
                throw new PipelineException($"Exp: {Name} failed (exit code {exitCode}); its log is {_store.LogOf(Name)}, its workspace {workspace.Root}");
            }

            await workspace.RemoveAsync(cancellationToken);
            log.Information($"Recorded experiment {Name}: {string.Join(", ", record.Metrics.Select(m => $"{m.Key} {m.Value}"))}");
            return record;
        }

        // The experiment's own dotnet cake, its lines in this log prefixed with its name and kept in its log file.
        private async Task<int> ReproAsync(string root, CakePipelineLog log, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(_store.Folder);
            await using var file = new StreamWriter(_store.LogOf(Name), append: false, Encoding.UTF8);
            var gate = new Lock();
            void Line(string line)
            {
                lock (gate)
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
