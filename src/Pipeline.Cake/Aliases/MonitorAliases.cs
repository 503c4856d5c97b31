using System.Globalization;
using Cake.Core;
using Cake.Core.Annotations;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Parameters;
using Pipeline.Core.Workspace;
using Pipeline.Remotes;
using Pipeline.Monitoring;
using Pipeline.Reports.Monitoring;

namespace Pipeline.Cake;

/// <summary>
/// The drift report from a build script: the predictions a service logged (<see cref="PredictionLog"/>) against the
/// reference a stage wrote from the training data, each column tested as Evidently's data drift preset does, with the
/// thresholds of <c>params.yaml</c>. The ready-made <c>Monitor</c> target is this alias with the command line's options.
/// </summary>
[CakeAliasCategory("Pipeline monitoring")]
public static class MonitorAliases
{
    /// <summary>Compares the logged predictions with the reference and writes the report; returns the verdict.</summary>
    /// <example><code>var drift = Monitor(new MonitorSettings { Since = DateTimeOffset.UtcNow.AddDays(-1) });</code></example>
    /// <exception cref="PipelineException">
    /// No reference, no log folder, no prediction in the period, a malformed record or threshold: the message names it.
    /// </exception>
    [CakeMethodAlias]
    public static DriftResult Monitor(this ICakeContext context, MonitorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return PipelineSession.UseAsync(context, async session =>
        {
            var workspace = await session.OpenAsync(context, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            var reference = await ReadReferenceAsync(workspace.Resolve(settings.Reference), settings.Reference, RunStopping.Token);
            var logFiles = settings.Remote is null
                ? LocalFiles(workspace.Resolve(settings.Logs), settings.Logs)
                : await FetchAsync(workspace, session.Adapters.RemoteKinds, settings.Remote, log, RunStopping.Token);
            var current = await ReadPredictionsAsync(logFiles, settings, log, RunStopping.Token);
            var thresholds = MonitorThresholds.From(await workspace.LoadParametersAsync(RunStopping.Token), settings.ParametersSection);
            var result = DriftAnalysis.Compare(reference, current, thresholds);
            var files = await DriftReportWriter.WriteAsync(workspace.Resolve(settings.OutputFolder), result, settings.Since, reference, current, RunStopping.Token);
            log.Information($"Wrote {Path.GetRelativePath(workspace.Root, files.Html)} and {Path.GetRelativePath(workspace.Root, files.Json)}");
            return result;
        }).GetAwaiter().GetResult();
    }

    private static async Task<IReadOnlyList<PredictionRecord>> ReadReferenceAsync(string path, string name, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new PipelineException($"{name}: no reference to compare the predictions with; run Repro first (the stage that writes it)");
        }

        var content = await ReadAsync(() => PredictionLogReader.ReadFileAsync(path, cancellationToken));
        return content.Records.Count > 0 ? content.Records : throw new PipelineException($"{name}: the reference holds no record");
    }

    private static IReadOnlyList<string> LocalFiles(string folder, string name) =>
        Directory.Exists(folder)
            ? PredictionLog.LogFiles(folder)
            : throw new PipelineException($"{name}: no prediction log folder (a service started with --prediction-log writes one; --logs=DIR names another, --remote=NAME a remote its files are shipped to)");

    // The remote holds complete log files as objects: fetched into the cache (verified, as every transfer is), read there.
    private static async Task<IReadOnlyList<string>> FetchAsync(PipelineWorkspace workspace, RemoteKinds kinds, string remoteName, CakePipelineLog log, CancellationToken cancellationToken)
    {
        using var connection = await RemoteConnection.OpenAsync(workspace, remoteName, null, kinds, cancellationToken);
        var hashes = (await connection.Database.ListAsync(null, cancellationToken)).Select(o => o.Hash).Order().ToList();
        var fetched = await connection.Transfer.FetchAsync(hashes, cancellationToken);
        if (fetched.Failed.Count > 0)
        {
            throw new PipelineException($"{connection.Definition}: {fetched.Failed.Count} prediction log files could not be fetched, the first: {fetched.Failed[0]}");
        }

        log.Information($"Fetched {fetched.Transferred} prediction log files from {connection.Definition} ({fetched.AlreadyThere} already in the cache)");
        return [.. hashes.Select(workspace.Cache.PathOf)];
    }

    private static async Task<IReadOnlyList<PredictionRecord>> ReadPredictionsAsync(IReadOnlyList<string> files, MonitorSettings settings, CakePipelineLog log, CancellationToken cancellationToken)
    {
        var content = await ReadAsync(() => PredictionLogReader.ReadFilesAsync(files, settings.Since, cancellationToken));
        if (content.TornLines > 0)
        {
            log.Warning($"{settings.Remote ?? settings.Logs}: skipped {content.TornLines} unfinished last line(s) of log files a service was writing when it stopped");
        }

        return content.Records.Count > 0
            ? content.Records
            : throw new PipelineException($"{settings.Remote ?? settings.Logs}: no prediction logged{(settings.Since is { } since ? $" since {since.ToString("u", CultureInfo.InvariantCulture)}" : "")}; nothing to compare");
    }

    private static async Task<PredictionLogContent> ReadAsync(Func<Task<PredictionLogContent>> read)
    {
        try
        {
            return await read();
        }
        catch (PredictionLogException e)
        {
            throw new PipelineException(e.Message, e);
        }
    }
}

/// <summary>What <see cref="MonitorAliases.Monitor"/> compares and where it writes, repository-relative.</summary>
public sealed record MonitorSettings
{
    /// <summary>The reference records, as a stage writes them.</summary>
    public string Reference { get; init; } = "monitoring/reference.jsonl";

    /// <summary>The folder of prediction log files (<c>*.jsonl</c>, and <c>*.jsonl.part</c> being written), read when <see cref="Remote"/> is null.</summary>
    public string Logs { get; init; } = "monitoring/predictions";

    /// <summary>
    /// The remote (as <c>pipeline.remotes.yaml</c> names it) the services ship their complete log files to, read instead
    /// of <see cref="Logs"/>; null for the folder. One of its own: garbage collection of a data remote would delete them.
    /// </summary>
    public string? Remote { get; init; }

    /// <summary>Only predictions made at or after this time; null for all.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Where <c>report.html</c> and <c>report.json</c> go.</summary>
    public string OutputFolder { get; init; } = "monitoring";

    /// <summary>The section of <c>params.yaml</c> holding the thresholds (each optional: the reference guide's values otherwise).</summary>
    public string ParametersSection { get; init; } = "monitor";
}

/// <summary>The drift tests' thresholds from the parameters file.</summary>
internal static class MonitorThresholds
{
    private static readonly string[] Keys = ["numeric_threshold", "label_threshold", "drift_share", "embedding_threshold"];

    /// <summary>
    /// <see cref="DriftSettings"/> with the values under <paramref name="section"/>: <c>numeric_threshold</c>,
    /// <c>label_threshold</c>, <c>drift_share</c>, <c>embedding_threshold</c>, each a number from 0 to 1.
    /// </summary>
    /// <exception cref="PipelineException">An unknown key, or a value that is not such a number.</exception>
    public static DriftSettings From(ParameterSet parameters, string section)
    {
        var prefix = section + ".";
        var given = parameters.Values.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal);
        if (given.Keys.FirstOrDefault(k => !Keys.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new PipelineException($"{parameters.Source}: '{prefix}{unknown}' is not a drift threshold; expected one of {string.Join(", ", Keys.Select(k => prefix + k))}");
        }

        var defaults = new DriftSettings();
        return new DriftSettings
        {
            NumericThreshold = Number(given, parameters.Source, prefix, "numeric_threshold") ?? defaults.NumericThreshold,
            LabelThreshold = Number(given, parameters.Source, prefix, "label_threshold") ?? defaults.LabelThreshold,
            DriftShare = Number(given, parameters.Source, prefix, "drift_share") ?? defaults.DriftShare,
            EmbeddingThreshold = Number(given, parameters.Source, prefix, "embedding_threshold") ?? defaults.EmbeddingThreshold,
        };
    }

    private static double? Number(Dictionary<string, ParameterValue> given, string source, string prefix, string key) => given.TryGetValue(key, out var value)
        ? value.Scalar switch
        {
            long whole and >= 0 and <= 1 => whole,
            double real and >= 0 and <= 1 => real,
            _ => throw new PipelineException($"{source}: '{prefix}{key}' is {value}; expected a number from 0 to 1"),
        }
        : null;
}
