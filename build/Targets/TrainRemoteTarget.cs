using Cake.Common.Diagnostics;
using Cake.Core;
using Pipeline.Cake;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.LockFiles;
using Pipeline.Kubernetes;
using Pipeline.Remotes.Runs;
using Planets.Build.Packaging;

namespace Planets.Build.Targets;

/// <summary>
/// The <c>TrainRemote</c> target: the train stage in a Kubernetes pod created for this run (on a GPU node per
/// configuration). The stages upstream run here; their outputs go to the data remote, the pod's worker fetches them,
/// trains, pushes the model, and the model comes back into the cache, the workspace and pipeline.lock, so a later
/// <c>Repro</c> finds train up to date. The pod is deleted however the run ends.
/// </summary>
internal static class TrainRemoteTarget
{
    /// <summary>The target, for <c>PipelineTasks.Register</c>.</summary>
    public static RemoteStageTarget Create(string stage) => new(
        "TrainRemote",
        stage,
        "Runs the train stage in a Kubernetes pod (--gpus, --node-selector, --tolerations, --s3-secret, --training-image, --namespace)",
        RunAsync)
    {
        // ExpRun --on=kubernetes: the train stages of the queued experiments as one Indexed Job.
        Place = "kubernetes",
        RunTrials = RunTrialsAsync,
    };

    // Ctrl+C or SIGTERM stops the run, not the process: the pod must still be deleted.
    private static Task RunAsync(RemoteStageRunContext run) => RunAsync(run, RunStopping.Token);

    private static async Task RunAsync(RemoteStageRunContext run, CancellationToken cancellationToken)
    {
        var context = run.Cake;
        var stage = run.Plan.Status.Stage;
        using var remote = await run.Session.ConnectAsync(context, RemoteOptions.From(context).Settings, cancellationToken);
        var data = CachedDependencies(run);
        var pushed = await remote.Transfer.PushAsync(data.Select(d => d.Content.Hash), cancellationToken);
        Check("send the stage's dependencies to", pushed.Failed.Count, remote, pushed.DescribeFailures());

        var parameters = await File.ReadAllTextAsync(run.Workspace.Resolve(run.Workspace.Settings.ParametersFile), cancellationToken);
        var request = new RemoteStageRun(
            stage.Name, [stage.Command.Executable, .. stage.Command.Arguments], [.. data.Select(RemotePath.From)],
            stage.Parameters, [.. stage.AllOutputs], parameters, RemoteLocation.From(remote.Definition))
        {
            // The image's program must be built from the sources the lock file will record; the worker checks.
            ResultPath = PodExit.MessagePath,
            HashAlgorithm = run.Workspace.Settings.HashAlgorithm.Name,
            ProgramSources = stage.Program is { } program
                ? (await ProgramSources.OfAsync(program, run.Workspace.Root, run.Workspace.Hasher, cancellationToken)).Hash.Value
                : null,
        };
        // The source revision and time come from this work tree: the pod has no git, and the model records them.
        var environment = (await StageEnvironment.ForAsync(stage, run.Workspace.Root, new CakePipelineLog(context.Log), cancellationToken))
            .Add(RemoteStageRun.Variable, request.ToJson());
        var handoff = TrialHandoff.From(context);
        var pod = handoff is null ? await TrainingOptions.From(context).PodAsync(context, environment, cancellationToken) : null;
        var result = pod is null ? await HandOverAsync(context, handoff!, environment, cancellationToken) : await RunPodAsync(context, pod, cancellationToken);

        var outputs = result.Outputs.Select(o => o.ToState()).ToList();
        var fetched = await remote.Transfer.FetchAsync(outputs.Select(o => o.Content.Hash), cancellationToken);
        Check("fetch the stage's outputs from", fetched.Failed.Count, remote, fetched.DescribeFailures());
        await run.Runner.AdoptAsync(run.Plan, [.. outputs], cancellationToken);
        var where = pod is null ? "as a trial of ExpRun's Job" : $"in pod {TrainingPodRunner.PodName(pod.RunId)}";
        context.Information($"Stage '{stage.Name}' ran {where}; its outputs are checked out and recorded in {run.Workspace.Settings.LockFile}");
    }

    // The worker's result comes back as the container's termination message: typed, whatever the stage printed.
    private static async Task<RemoteRunResult> RunPodAsync(ICakeContext context, TrainingPodSettings pod, CancellationToken cancellationToken)
    {
        var log = new CakePipelineLog(context.Log);
        using var client = ClusterOptions.From(context).Connect();
        context.Information($"Creating pod {TrainingPodRunner.PodName(pod.RunId)} in namespace {pod.Namespace} from {pod.Image}");
        var exit = await new TrainingPodRunner(client).RunAsync(pod, log, cancellationToken);
        return exit.ExitCode != 0
            ? throw new CakeException($"the train stage failed in pod {TrainingPodRunner.PodName(pod.RunId)} with exit code {exit.ExitCode} (its log is above)")
            : exit.Message is { } message
                ? RemoteRunResult.FromJson(message)
                : throw new CakeException($"pod {TrainingPodRunner.PodName(pod.RunId)} ended without reporting its outputs: is {pod.Image} a training image?");
    }

    // Run by ExpRun --on=kubernetes: the stage runs as this experiment's trial in the Job ExpRun submits for all of them.
    private static async Task<RemoteRunResult> HandOverAsync(ICakeContext context, TrialHandoff handoff, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var log = new CakePipelineLog(context.Log);
        var trial = await handoff.RunAsync(environment, log, cancellationToken);
        foreach (var line in trial.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            log.Information(line);
        }

        return trial.ExitCode != 0
            ? throw new CakeException($"the train stage failed in its trial with exit code {trial.ExitCode} (its log is above)")
            : RemoteRunResult.FromJson(trial.Message);
    }

    private static async Task<IReadOnlyList<TrialResult>> RunTrialsAsync(ICakeContext context, TrialBatch batch, IPipelineLog log, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string> { [TrialEnvironments.Variable] = TrialEnvironments.ToJson([.. batch.Trials.Select(t => t.Environment)]) };
        var pod = await TrainingOptions.From(context).PodAsync(context, environment, cancellationToken);
        using var client = ClusterOptions.From(context).Connect();
        var job = new IndexedJobSettings(pod, batch.Trials.Count) { Parallelism = batch.Parallelism, RetriesPerTrial = batch.RetriesPerTrial };
        var result = await new IndexedJobRunner(client).RunAsync(job, log, cancellationToken);
        return [.. result.Trials.Select(t => t.Exit is { } exit
            ? new TrialResult(exit.ExitCode, exit.Message, t.Log)
            : new TrialResult(-1, null, $"no pod of trial {t.Index} ended: {result.Failure}"))];
    }

    // The objects the pod must fetch: dependencies that are in the cache (outputs of the stages upstream). The
    // program's own sources are not: the training image holds the program built from them. Push verifies each object.
    private static List<PathState> CachedDependencies(RemoteStageRunContext run) =>
        [.. run.Plan.Status.Current.Dependencies.Where(d => run.Workspace.Cache.Contains(d.Content.Hash))];

    private static void Check(string what, int failures, RemoteConnection remote, string details)
    {
        if (failures > 0)
        {
            throw new PipelineException($"could not {what} {remote.Definition}: {details}");
        }
    }

    /// <summary>
    /// The pod's settings: <c>--training-image</c> (else the pushed training image), <c>--gpus</c> (default 1),
    /// <c>--node-selector=k=v,…</c>, <c>--tolerations=key[=value][:effect],…</c> (default the GPU taint when GPUs
    /// are asked for), <c>--s3-secret</c>, <c>--timeout=MINUTES</c>; each also a <c>[TrainRemote]</c> key of cake.config.
    /// </summary>
    private sealed record TrainingOptions(string? Image, int Gpus, string? NodeSelector, string? Tolerations, string Secret, int TimeoutMinutes, string PullPolicy)
    {
        public static TrainingOptions From(ICakeContext context)
        {
            var options = new TargetOptions(context);
            return new(
                options.Text("training-image", "TrainRemote_Image"),
                options.Number("gpus", "TrainRemote_Gpus", 1),
                options.Text("node-selector", "TrainRemote_NodeSelector"),
                options.Text("tolerations", "TrainRemote_Tolerations"),
                options.Text("s3-secret", "TrainRemote_S3Secret", "pipeline-s3-credentials")!,
                options.Number("timeout", "TrainRemote_Timeout", 360, minimum: 1),
                options.Text("image-pull-policy", "TrainRemote_ImagePullPolicy", "IfNotPresent")!);
        }

        public async Task<TrainingPodSettings> PodAsync(ICakeContext context, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
        {
            var root = context.Environment.WorkingDirectory.FullPath;
            var image = Image ?? (await PushedImageRecord.ReadAsync(root, TrainingImage.Name, cancellationToken)).Pinned;
            var runId = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}"[..22];
            return new TrainingPodSettings(ClusterOptions.From(context).Namespace, image, runId)
            {
                Environment = environment,
                GpuCount = Gpus,
                NodeSelector = Pairs(NodeSelector, "node-selector").ToDictionary(p => p.Key, p => p.Value),
                Tolerations = Tolerations is null && Gpus > 0 ? [new PodToleration("nvidia.com/gpu")] : [.. ParseTolerations(Tolerations)],
                S3CredentialsSecret = Secret.Length > 0 ? Secret : null,
                Timeout = TimeSpan.FromMinutes(TimeoutMinutes),
                ImagePullPolicy = PullPolicy,
            };
        }

        private static IEnumerable<KeyValuePair<string, string>> Pairs(string? text, string option) =>
            (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(pair =>
                pair.Split('=', 2) is [var key, var value] && key.Length > 0
                    ? KeyValuePair.Create(key, value)
                    : throw new CakeException($"--{option}: '{pair}' is not key=value"));

        private static IEnumerable<PodToleration> ParseTolerations(string? text) =>
            (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(item =>
            {
                var (taint, effect) = item.Split(':', 2) is [var t, var e] ? (t, e) : (item, "NoSchedule");
                return taint.Split('=', 2) is [var key, var value]
                    ? new PodToleration(key, "Equal", value, effect)
                    : new PodToleration(taint, "Exists", null, effect);
            });
    }
}
