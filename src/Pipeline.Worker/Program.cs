using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Remotes;
using Pipeline.Remotes.Runs;
using Pipeline.Remotes.S3;
using Pipeline.Worker;

// SIGTERM (the pod being deleted) and Ctrl+C stop the stage's process rather than orphaning it.
var stopping = RunStopping.Token;

try
{
    // In an Indexed Job, this pod's trial brings its own variables (the stage run among them).
    var trial = TrialEnvironments.Select(Environment.GetEnvironmentVariable(TrialEnvironments.Variable), Environment.GetEnvironmentVariable(TrialEnvironments.IndexVariable));
    foreach (var (name, value) in trial ?? new Dictionary<string, string>())
    {
        Environment.SetEnvironmentVariable(name, value);
    }

    var run = RemoteStageRun.FromJson(Environment.GetEnvironmentVariable(RemoteStageRun.Variable));
    // The worker's composition root: the kinds of remote a training pod can reach.
    var kinds = new RemoteKinds().Add(new S3RemoteKind());
    var result = await StageWorker.RunAsync(run, Directory.GetCurrentDirectory(), kinds, new ConsoleLog(), stopping);
    if (run.ResultPath is { } path)
    {
        await File.WriteAllTextAsync(path, result.ToJson(), stopping);
    }

    return 0;
}
catch (Exception e) when (e is PipelineException or IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"Error: {e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("Error: stopped");
    return 130;
}
