using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Cake.Core;
using Pipeline.Core;
using Pipeline.Core.Diffs;
using Pipeline.Core.Execution;
using Pipeline.Core.Experiments;
using Pipeline.Core.Graph;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Stages;
using Pipeline.Storage;

namespace Pipeline.Cake;

/// <summary>
/// The targets besides <c>Repro</c>: status, data tracking, the graph, diffs against git and garbage collection, each a
/// <see cref="WorkspaceAliases"/> alias with the command line's options. Tables are data: written to stdout (whatever
/// the verbosity, so <c>--verbosity=quiet</c> leaves only them) or to <c>--out</c>, as text, Markdown, CSV or JSON.
/// </summary>
internal static class PipelineCommands
{
    private const int SubjectWidth = 40;

    public static void Register(Func<string, CakeTaskBuilder> task, IReadOnlyList<IStage> stages, PipelineGraph graph, PipelineSession session)
    {
        task(PipelineTasks.Status).Description("Lists the stages that are not up to date, and tracked data that changed, and exactly why")
            .Does(context => context.PipelineStatus(stages));
        task("Add").Description("Tracks a raw input file or folder: caches it and writes PATH.ptr beside it (--path=PATH)")
            .Does(context => context.AddData(
                session.Options.TrackPath is { Length: > 0 } path ? path : throw new PipelineException("Add: --path=PATH is required (the file or folder to track, such as --path=data/raw)"),
                stages));
        task("Commit").Description("Stores in the cache, from the workspace, what pipeline.lock and the .ptr files record and the cache lacks")
            .Does(context => context.CommitData());
        task("Checkout").Description("Makes outputs and tracked data match pipeline.lock and the .ptr files, restoring from the cache")
            .Does(context => context.CheckoutData());
        task("Dag").Description("Shows the stage graph (--format=text or mermaid)")
            .Does(context => ReportAsync(context, session, session.Options.FormatOf("text", "mermaid") == "mermaid" ? DagWriter.ToMermaid(graph) : DagWriter.ToText(graph)));
        task("ParamsDiff").Description("Compares params.yaml with a git revision (--rev=REF, --all, --format=md|csv|json, --out=FILE)")
            .Does(context => ReportDiffAsync(context, session, "parameter", () => context.ParamsDiff(session.Options.Revision)));
        task("MetricsDiff").Description("Compares the metrics with a git revision (--rev=REF, --all, --format=md|csv|json, --out=FILE)")
            .Does(context => ReportDiffAsync(context, session, "metric", () => context.MetricsDiff(stages, session.Options.Revision)));
        task("MetricsShow").Description("Shows the workspace's metrics, or with --all-commits / --all-branches / --all-tags every such revision's, newest first (--format=md|csv|json, --out=FILE)")
            .Does(context => MetricsShowAsync(context, stages, session));
        task("Exp").Description("Runs experiments: the pipeline with other parameters in a workspace of its own, recorded (--set=KEY=VALUE repeatable, KEY=a,b or KEY=range(5,20,5) sweep; --name; --queue)")
            .Does(context => context.RunExperiments(stages, ExperimentSettingsOf(context)));
        task("ExpRun").Description("Runs the queued experiments, --jobs=N at a time (default 1), each in its own workspace; --on=PLACE (such as kubernetes) runs their remote stage there as one batch, --parallelism=P at a time, --retries=R")
            .Does(context => RunQueue(context, stages));
        task("ExpQueue").Description("Lists queued, running, succeeded and failed experiments with their logs (takes no lock: works while ExpRun runs; --format=md|csv|json)")
            .Does(context => ExpQueueAsync(context, session));
        task("ExpApply").Description("Puts an experiment's parameters, lock file and outputs into the workspace from the cache, nothing rerun (--name=NAME; --force overwrites uncommitted params/lock changes)")
            .Does(context => context.ApplyExperiment(RequiredName(context, "ExpApply"), session.Options.Force));
        task("ExpBranch").Description("Makes a git branch of an experiment: its parameters and lock file committed on its base commit (--name=NAME, --branch=BRANCH, default NAME)")
            .Does(context => context.BranchExperiment(RequiredName(context, "ExpBranch"), new TargetOptions(context).Text("branch") ?? RequiredName(context, "ExpBranch")));
        task("ExpRemove").Description("Forgets experiments: records, logs, queue entries and kept workspaces (--name=A,B)")
            .Does(context => context.RemoveExperiments([.. RequiredName(context, "ExpRemove").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]));
        task("ExpPush").Description("Shares experiments: refs/experiments/NAME to the git remote, outputs to the data remote (--name=A,B, default every succeeded one; --git-remote=origin; --remote)")
            .Does(context => context.PushExperiments(NamesOf(context), GitRemoteOf(context), RemoteOptions.From(context).Settings));
        task("ExpPull").Description("Fetches the experiments others pushed (refs/experiments/*) and their outputs (--git-remote=origin; --remote)")
            .Does(context => context.PullExperiments(GitRemoteOf(context), RemoteOptions.From(context).Settings));
        task("ExpShow").Description("Shows the recorded experiments: parameters that differ and metrics (--all, --sort-by=COLUMN, --sort-order=desc, --format=md|csv|json, --out=FILE)")
            .Does(context => ExpShowAsync(context, session));
        task("Gc").Description("Removes cache objects nothing refers to (--all-branches, --all-tags, --all-commits, --dry-run)")
            .Does(context => context.CollectGarbage(new GcOptions(session.Options.Scope, session.Options.DryRun)));
    }

    private static Task ReportDiffAsync(ICakeContext context, PipelineSession session, string what, Func<IReadOnlyList<DiffRow>> diff) =>
        ReportAsync(context, session, DiffReport(diff(), session, what));

    private static Task MetricsShowAsync(ICakeContext context, IReadOnlyList<IStage> stages, PipelineSession session)
    {
        if (session.Options.Scope.ReadsGit)
        {
            return MetricsHistoryAsync(context, stages, session);
        }

        var metrics = context.MetricsShow(stages);
        return ReportAsync(context, session, Table(
            session, ["Path", "Key", "Value"], [.. metrics.Select(m => new[] { m.Path, m.Key, m.Value })], "No metrics in the workspace; run Repro to write them."));
    }

    // One row per revision, newest first, after the workspace's; a column per metric any of them has.
    private static Task MetricsHistoryAsync(ICakeContext context, IReadOnlyList<IStage> stages, PipelineSession session)
    {
        var history = context.MetricsHistory(stages, session.Options.Scope);
        var workspace = context.MetricsShow(stages).ToImmutableSortedDictionary(m => $"{m.Path}:{m.Key}", m => m.Value, StringComparer.Ordinal);
        var columns = history.SelectMany(h => h.Metrics.Keys).Concat(workspace.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<string> header = ["Revision", "Committed", "Subject", .. columns];
        // A terminal's table keeps a subject to a glance; a program's formats keep it whole.
        var forReading = DiffTable.FormatNamed(session.Options.Format) is TableFormat.Text or TableFormat.Markdown;
        var rows = history.Select(h => (IReadOnlyList<string>)
        [
            h.Commit.ShortSha,
            h.Commit.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            forReading && h.Commit.Subject.Length > SubjectWidth ? h.Commit.Subject[..(SubjectWidth - 1)] + "…" : h.Commit.Subject,
            .. columns.Select(c => h.Metrics.GetValueOrDefault(c, "-")),
        ])
            .Prepend(["workspace", "-", "-", .. columns.Select(c => workspace.GetValueOrDefault(c, "-"))]);
        return ReportAsync(context, session, Table(session, header, [.. rows], "No metrics in the workspace or any revision."));
    }

    // The experiment's own Repro gets the options this run was given (such as --raw-data), but not the experiment's.
    private static ExperimentSettings ExperimentSettingsOf(ICakeContext context)
    {
        string[] own = ["target", "set", "name", "queue", "jobs", "on", "parallelism", "retries", "experiment-links", "experiment-runner"];
        var options = new TargetOptions(context);
        return new ExperimentSettings
        {
            Set = [.. context.Arguments.HasArgument("set") ? context.Arguments.GetArguments("set") : []],
            Name = options.Text("name"),
            Queue = options.Flag("queue"),
            Links = [.. (options.Text("experiment-links", "Pipeline_ExperimentLinks") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            Runner = options.Text("experiment-runner", "Pipeline_ExperimentRunner", "dotnet cake")!,
            Arguments = [.. context.Arguments.GetArguments().Where(a => !own.Contains(a.Key, StringComparer.OrdinalIgnoreCase))
                .SelectMany(a => a.Value.Select(value => $"--{a.Key}={value}"))],
        };
    }

    private static void RunQueue(ICakeContext context, IReadOnlyList<IStage> stages)
    {
        var options = new TargetOptions(context);
        if (options.Text("on") is { } place)
        {
            context.RunQueuedExperimentsElsewhere(stages, ExperimentSettingsOf(context), place, options.Number("parallelism", null, 1, minimum: 1), options.Number("retries", null, 0));
        }
        else
        {
            context.RunQueuedExperiments(stages, ExperimentSettingsOf(context), options.Number("jobs", null, 1, minimum: 1));
        }
    }

    private static string RequiredName(ICakeContext context, string target) =>
        new TargetOptions(context).Text("name") ?? throw new PipelineException($"{target}: say which experiment with --name=NAME (ExpShow lists them)");

    private static IReadOnlyList<string> NamesOf(ICakeContext context) =>
        [.. (new TargetOptions(context).Text("name") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string GitRemoteOf(ICakeContext context) => new TargetOptions(context).Text("git-remote", null, "origin")!;

    private static Task ExpShowAsync(ICakeContext context, PipelineSession session)
    {
        var options = new TargetOptions(context);
        var descending = options.Choice("sort-order", "asc", "asc", "desc") == "desc";
        var text = ExperimentTable.Show(context.ListExperiments(), session.Options.Format, session.Options.ShowAll, options.Text("sort-by"), descending);
        return ReportAsync(context, session, text);
    }

    private static Task ExpQueueAsync(ICakeContext context, PipelineSession session)
    {
        var state = context.ExperimentQueueState();
        IReadOnlyList<string> header = ["Experiment", "State", "Base", "Parameters", "Log"];
        var rows = state.Queued.Select(q => state.Running.Contains(q.Name)
                ? Row(q.Name, "running", q.BaseCommit, q.Overrides.Select(o => $"{o.Key}={o.Value}"), state.Store.LogOf(q.Name))
                : Row(q.Name, "queued", q.BaseCommit, q.Overrides.Select(o => $"{o.Key}={o.Value}"), "-"))
            .Concat(state.Recorded.Select(r => Row(r.Name, r.Status.ToString().ToLowerInvariant(), r.BaseCommit, r.Overrides.Select(o => $"{o.Key}={o.Value}"), state.Store.LogOf(r.Name))))
            .Concat(state.Unreadable.Select(u => Row(Path.GetFileNameWithoutExtension(u.File), "unreadable", "-", [u.Reason], u.File)))
            .ToList();
        return ReportAsync(context, session, Table(session, header, rows, "No experiments queued or recorded."));

        static IReadOnlyList<string> Row(string name, string state, string commit, IEnumerable<string> parameters, string log) =>
            [name, state, commit[..Math.Min(7, commit.Length)], string.Join(", ", parameters), log];
    }

    private static string DiffReport(IReadOnlyList<DiffRow> rows, PipelineSession session, string what)
    {
        var shown = session.Options.ShowAll ? rows : [.. rows.Where(r => r.IsChanged)];
        return Table(session, shown.Count, format => DiffTable.Format(shown, format), $"No {what} changes against {session.Options.Revision}.");
    }

    // An empty table is a sentence for a person, and for a program the same empty table as always (CSV's header, JSON's []).
    private static string Table(PipelineSession session, int rows, Func<TableFormat, string> table, string empty)
    {
        var format = DiffTable.FormatNamed(session.Options.Format);
        return rows == 0 && format is TableFormat.Text or TableFormat.Markdown ? empty + "\n" : table(format);
    }

    private static string Table(PipelineSession session, IReadOnlyList<string> header, List<IReadOnlyList<string>> rows, string empty) =>
        Table(session, rows.Count, format => DiffTable.Format(header, rows, format), empty);

    private static async Task ReportAsync(ICakeContext context, PipelineSession session, string text)
    {
        if (session.Options.OutputFile is { Length: > 0 } file)
        {
            var path = Path.Combine(context.Environment.WorkingDirectory.FullPath, file);
            await AtomicFile.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(text), RunStopping.Token);
            new CakePipelineLog(context.Log).Information($"Wrote {file}");
            return;
        }

        await Console.Out.WriteAsync(text.AsMemory(), RunStopping.Token);
        await Console.Out.FlushAsync(RunStopping.Token);
    }
}
