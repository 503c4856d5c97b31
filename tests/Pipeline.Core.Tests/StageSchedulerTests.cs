using System.Collections.Concurrent;
using Pipeline.Core.Execution;
using Pipeline.Core.Graph;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Tests;

public sealed class StageSchedulerTests
{
    // a -> (b, c, d) -> e
    private static readonly PipelineGraph Fan = PipelineGraph.Build(
    [
        Stage("a", [], "a.out"),
        Stage("b", ["a.out"], "b.out"),
        Stage("c", ["a.out"], "c.out"),
        Stage("d", ["a.out"], "d.out"),
        Stage("e", ["b.out", "c.out", "d.out"], "e.out"),
    ]);

    [Fact]
    public async Task A_stage_starts_only_after_its_upstream_and_no_more_than_jobs_run_at_once()
    {
        var running = 0;
        var most = 0;
        var order = new ConcurrentQueue<string>();

        var outcomes = await StageScheduler.RunAsync(Fan, ["a", "b", "c", "d", "e"], 2, async (stage, cancellationToken) =>
        {
            order.Enqueue("start " + stage.Name);
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(100, cancellationToken);
            Interlocked.Decrement(ref running);
            order.Enqueue("end " + stage.Name);
            return StageOutcome.Ran;
        }, CancellationToken.None);

        Assert.Equal(2, most);
        Assert.Equal(5, outcomes.Count);
        var events = order.ToList();
        Assert.Equal("start a", events[0]);
        Assert.True(events.IndexOf("start b") > events.IndexOf("end a"));
        Assert.Equal("e", outcomes[^1].Key);
        Assert.True(events.IndexOf("start e") > Math.Max(events.IndexOf("end b"), Math.Max(events.IndexOf("end c"), events.IndexOf("end d"))));
    }

    [Fact]
    public async Task A_failure_lets_running_stages_finish_starts_nothing_new_and_is_rethrown_as_it_was()
    {
        var finished = new ConcurrentBag<string>();

        var failure = await Assert.ThrowsAsync<PipelineException>(() => StageScheduler.RunAsync(Fan, ["a", "b", "c", "d", "e"], 2, async (stage, cancellationToken) =>
        {
            if (stage.Name == "b")
            {
                throw new PipelineException("stage 'b' failed");
            }

            await Task.Delay(stage.Name == "c" ? 300 : 0, cancellationToken);
            finished.Add(stage.Name);
            return StageOutcome.Ran;
        }, CancellationToken.None));

        Assert.Equal("stage 'b' failed", failure.Message);
        Assert.Contains("c", finished);
        Assert.DoesNotContain("d", finished);
        Assert.DoesNotContain("e", finished);
    }

    [Fact]
    public async Task Only_the_selected_stages_run_and_unselected_upstream_does_not_block()
    {
        var ran = new ConcurrentBag<string>();

        await StageScheduler.RunAsync(Fan, ["b", "e"], 4, (stage, _) =>
        {
            ran.Add(stage.Name);
            return Task.FromResult(StageOutcome.Skipped);
        }, CancellationToken.None);

        Assert.Equal(["b", "e"], ran.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Stopping_the_run_stops_the_running_stages_and_throws_cancellation()
    {
        using var stop = new CancellationTokenSource();

        var run = StageScheduler.RunAsync(Fan, ["a", "b", "c", "d", "e"], 4, async (stage, cancellationToken) =>
        {
            if (stage.Name != "a")
            {
                await stop.CancelAsync();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return StageOutcome.Ran;
        }, stop.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    private static StageDefinition Stage(string name, string[] dependencies, string output) =>
        new(name, CommandLine.Of("true")) { Dependencies = [.. dependencies], Outputs = [output] };

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
