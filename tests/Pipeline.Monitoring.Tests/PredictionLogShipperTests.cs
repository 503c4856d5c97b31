namespace Pipeline.Monitoring.Tests;

/// <summary>Shipping complete log files: each once, in order, never a file still being written; a failure is tried again.</summary>
public sealed class PredictionLogShipperTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly List<string> shipped = [];

    [Fact]
    public async Task Complete_files_are_shipped_once_each_in_order_and_the_open_one_waits()
    {
        folder.Write("predictions-1.jsonl", "{}\n");
        folder.Write("predictions-2.jsonl", "{}\n");
        folder.Write("predictions-3.jsonl.part", "{}\n");
        await using var shipper = new PredictionLogShipper(folder.Path, ShipAsync, TimeSpan.FromHours(1));

        var first = await shipper.ShipPendingAsync(CancellationToken.None);
        var again = await shipper.ShipPendingAsync(CancellationToken.None);
        File.Move(folder["predictions-3.jsonl.part"], folder["predictions-3.jsonl"]);
        var completed = await shipper.ShipPendingAsync(CancellationToken.None);

        Assert.Equal((2, 0, 1), (first, again, completed));
        Assert.Equal(["predictions-1.jsonl", "predictions-2.jsonl", "predictions-3.jsonl"], shipped);
        Assert.Equal(3, shipper.Shipped);
    }

    [Fact]
    public async Task A_failed_upload_stops_the_round_and_is_tried_again_the_next_time()
    {
        folder.Write("predictions-1.jsonl", "{}\n");
        folder.Write("predictions-2.jsonl", "{}\n");
        var failing = true;
        await using var shipper = new PredictionLogShipper(folder.Path, async (file, ct) =>
        {
            if (failing)
            {
                throw new HttpRequestException("remote unreachable");
            }

            await ShipAsync(file, ct);
        }, TimeSpan.FromHours(1));

        var during = await shipper.ShipPendingAsync(CancellationToken.None);
        failing = false;
        var after = await shipper.ShipPendingAsync(CancellationToken.None);

        Assert.Equal((0, 2), (during, after));
        Assert.Equal(1, shipper.Failures);
        Assert.Equal("predictions-1.jsonl: remote unreachable", shipper.LastError);
        Assert.Equal(["predictions-1.jsonl", "predictions-2.jsonl"], shipped);
    }

    [Fact]
    public async Task Files_are_shipped_every_interval_and_what_is_complete_at_the_end_on_disposal()
    {
        var shipper = new PredictionLogShipper(folder.Path, ShipAsync, TimeSpan.FromMilliseconds(50));
        folder.Write("predictions-1.jsonl", "{}\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (shipper.Shipped == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        var inTheBackground = shipper.Shipped;
        folder.Write("predictions-2.jsonl", "{}\n");
        await shipper.DisposeAsync();

        Assert.Equal(1, inTheBackground);
        Assert.Equal(["predictions-1.jsonl", "predictions-2.jsonl"], shipped);
    }

    public void Dispose() => folder.Dispose();

    private Task ShipAsync(string file, CancellationToken cancellationToken)
    {
        lock (shipped)
        {
            shipped.Add(Path.GetFileName(file));
        }

        return Task.CompletedTask;
    }
}
