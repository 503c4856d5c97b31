using Pipeline.Remotes.Progress;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes.Tests;

public sealed class ProgressAndRetryTests
{
    [Fact]
    public void In_ci_progress_is_plain_lines_with_files_and_bytes()
    {
        using var output = new StringWriter();
        using var progress = new ConsoleProgress(output, interactive: false, TimeSpan.FromHours(1));

        progress.Begin("Pushing", 3, 3_000_000);
        progress.FileDone(1_000_000);
        progress.FileDone(2_000_000);
        progress.FileDone(0);
        progress.Finish();

        Assert.StartsWith("Pushing: 3/3 files, 3.0/3.0 MB, ", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\r', output.ToString());
    }

    [Fact]
    public void On_a_terminal_progress_redraws_one_line()
    {
        using var output = new StringWriter();
        using var progress = new ConsoleProgress(output, interactive: true, TimeSpan.FromMilliseconds(10));

        progress.Begin("Fetching", 2, 10);
        Thread.Sleep(100);
        progress.FileDone(10);
        progress.Finish();

        Assert.StartsWith("\rFetching: ", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, output.ToString().Count(c => c == '\n'));
    }

    [Fact]
    public async Task Retries_back_off_exponentially_and_stop_at_a_permanent_failure()
    {
        var policy = new RetryPolicy(4, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250));
        Assert.InRange(policy.DelayBefore(2).TotalMilliseconds, 75, 125);
        Assert.InRange(policy.DelayBefore(3).TotalMilliseconds, 150, 250);
        Assert.InRange(policy.DelayBefore(6).TotalMilliseconds, 187, 313);

        var fast = new RetryPolicy(4, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
        var calls = 0;
        var permanent = await Assert.ThrowsAsync<ObjectDatabaseException>(() => fast.RunAsync(_ =>
        {
            calls++;
            throw new ObjectDatabaseException(calls < 2 ? "busy" : "denied", isTransient: calls < 2, new IOException());
        }, CancellationToken.None));
        Assert.Equal(("denied", 2), (permanent.Message, calls));
    }
}
