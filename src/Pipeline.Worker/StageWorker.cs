using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Workspace;
using Pipeline.Remotes;
using Pipeline.Remotes.Progress;
using Pipeline.Remotes.Runs;
using Pipeline.Storage;
using Pipeline.Storage.Objects;

namespace Pipeline.Worker;

/// <summary>
/// Runs a <see cref="RemoteStageRun"/> in a work tree of its own with the pipeline engine: fetch and check out the
/// dependencies, run the stage as a local run would (outputs hashed and cached), push the outputs, report them.
/// </summary>
internal static class StageWorker
{
    public static async Task<RemoteRunResult> RunAsync(RemoteStageRun run, string root, RemoteKinds kinds, IPipelineLog log, CancellationToken cancellationToken)
    {
        // Before anything is fetched: outputs of a program built from other sources must never be reported.
        run.RequireProgramBuiltFrom(Environment.GetEnvironmentVariable(ProgramBuilder.SourcesVariable));
        var settings = new PipelineSettings { HashAlgorithm = run.RecordingAlgorithm() };
        await AtomicFile.WriteAllBytesAsync(Path.Combine(root, settings.ParametersFile), System.Text.Encoding.UTF8.GetBytes(run.ParametersFile), cancellationToken);
        await using var workspace = await PipelineWorkspace.OpenAsync(root, settings, cancellationToken);
        using var remote = kinds.Open(run.Remote.ToDefinition(), root);
        using var progress = ConsoleProgress.ForConsole();
        var transfer = new RemoteTransfer(workspace.Cache, remote, TransferOptions.Default, progress);

        await FetchDependenciesAsync(run, workspace, transfer, log, cancellationToken);
        await new StageRunner(workspace, ProcessCommandRunner.ToConsole(), log).ReproduceAsync(run.ToStage(), new ReproOptions(Force: true), cancellationToken);
        var outputs = (await workspace.LockFiles.ReadAsync(cancellationToken)).Find(run.Stage)!.Outputs;
        var pushed = await transfer.PushAsync(outputs.Select(o => o.Content.Hash), cancellationToken);
        Fail("push", pushed);
        log.Information($"Pushed {pushed.Transferred} objects ({pushed.AlreadyThere} already there) to {remote.Name}");
        return new RemoteRunResult([.. outputs.Select(RemotePath.From)]);
    }

    private static async Task FetchDependenciesAsync(RemoteStageRun run, PipelineWorkspace workspace, RemoteTransfer transfer, IPipelineLog log, CancellationToken cancellationToken)
    {
        var fetched = await transfer.FetchAsync(run.Dependencies.Select(d => d.ToState().Content.Hash), cancellationToken);
        Fail("fetch", fetched);
        foreach (var dependency in run.Dependencies)
        {
            await workspace.Checkout.RestoreAsync(dependency.ToState().Content.Hash, workspace.Resolve(dependency.Path), cancellationToken);
        }

        log.Information($"Fetched {fetched.Transferred} objects; checked out {string.Join(", ", run.Dependencies.Select(d => d.Path))}");
    }

    private static void Fail(string what, TransferSummary summary)
    {
        if (summary.Failed.Count > 0)
        {
            throw new PipelineException($"{what} failed for {summary.Failed.Count} objects: {summary.DescribeFailures()}");
        }
    }
}
