using System.Runtime.ExceptionServices;
using Pipeline.Core.Graph;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Execution;

/// <summary>
/// Runs the stages of a graph up to <c>jobs</c> at a time, each as soon as every stage it reads from has finished: the
/// graph, not the order the stages were declared in, decides what may overlap. A failure starts nothing new; the
/// stages already running finish (each records itself only once its outputs are cached, so what finished is kept and
/// what did not is not recorded), and then the failure is reported. Stages downstream of a failure never start.
/// </summary>
public static class StageScheduler
{
    /// <summary>Runs <paramref name="selected"/> (stage names of <paramref name="graph"/>) with <paramref name="reproduce"/>.</summary>
    /// <returns>What happened to each stage that ran, in the order they finished.</returns>
    /// <exception cref="PipelineException">A stage failed; with several, the message names each.</exception>
    /// <exception cref="OperationCanceledException">The run was stopped; the running stages were stopped with it.</exception>
    public static async Task<IReadOnlyList<KeyValuePair<string, StageOutcome>>> RunAsync(
        PipelineGraph graph,
        IReadOnlyCollection<string> selected,
        int jobs,
        Func<StageDefinition, CancellationToken, Task<StageOutcome>> reproduce,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(selected);
        ArgumentNullException.ThrowIfNull(reproduce);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        var waiting = graph.Stages.Where(s => selected.Contains(s.Name)).ToList();
        var finished = new List<KeyValuePair<string, StageOutcome>>();
        var running = new Dictionary<Task<StageOutcome>, string>();
        var failures = new List<Exception>();
        while (true)
        {
            // Once stopped or failed, nothing new starts; what runs is awaited (a stopped stage ends at once).
            if (failures.Count == 0 && !cancellationToken.IsCancellationRequested)
            {
                StartReady(graph, waiting, running, jobs, reproduce, cancellationToken);
            }

            if (running.Count == 0)
            {
                break;
            }

            var done = await Task.WhenAny(running.Keys);
            var name = running[done];
            running.Remove(done);
            try
            {
                finished.Add(new(name, await done));
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        switch (failures)
        {
            case []:
                return finished;
            case [var only]:
                // One failure keeps its own type, message and stack, as a sequential run would report it.
                ExceptionDispatchInfo.Throw(only);
                return finished;
            default:
                throw new PipelineException(string.Join("; ", failures.Select(f => f.Message)), failures[0]);
        }
    }

    private static void StartReady(
        PipelineGraph graph,
        List<StageDefinition> waiting,
        Dictionary<Task<StageOutcome>, string> running,
        int jobs,
        Func<StageDefinition, CancellationToken, Task<StageOutcome>> reproduce,
        CancellationToken cancellationToken)
    {
        var blocking = waiting.Select(s => s.Name).Concat(running.Values).ToHashSet(StringComparer.Ordinal);
        foreach (var stage in waiting.Where(s => !graph.UpstreamOf(s.Name).Any(blocking.Contains)).Take(jobs - running.Count).ToList())
        {
            waiting.Remove(stage);

            // Task.Run: a stage's synchronous start (hashing its dependencies) must not hold up starting the next one.
            running.Add(Task.Run(() => reproduce(stage, cancellationToken), cancellationToken), stage.Name);
        }
    }
}
