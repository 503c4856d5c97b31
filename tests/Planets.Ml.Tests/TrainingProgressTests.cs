using Planets.Ml.Training;

namespace Planets.Ml.Tests;

public sealed class TrainingProgressTests
{
    [Theory]
    [InlineData(80)]
    [InlineData(40)]
    public void The_live_line_never_reaches_the_terminals_last_column_and_each_redraw_covers_the_one_before(int width)
    {
        using var output = new StringWriter();
        var progress = new TrainingProgress(output, live: true, epochs: 10, width);

        progress.Batch(epoch: 1, batch: 1, batches: 3, loss: 2.3456, accuracy: 0.1);
        progress.Batch(epoch: 1, batch: 2, batches: 3, loss: 2.1, accuracy: 0.2);
        progress.Epoch(new EpochMetrics(1, 2.0123, 0.25, 1.9876, 0.3), TimeSpan.FromSeconds(1.5));

        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        var draws = lines[0].Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, draws.Length);
        Assert.All(draws[..2], draw => Assert.True(draw.Length < width, $"'{draw}' is {draw.Length} columns wide"));
        Assert.True(draws[2].Trim().Length == 0 && draws[2].Length >= draws[1].TrimEnd().Length, "the live line is not cleared before the epoch's line");
        Assert.Matches(@"^epoch 1/10 loss 2\.0123 acc 0\.2500 val_loss 1\.9876 val_acc 0\.3000 1\.5s ETA \d+s$", draws[3]);
        Assert.True(draws[3].Length < 80, "the epoch's line wraps in an 80-column terminal");
    }

    [Fact]
    public void Redirected_output_gets_one_plain_line_per_epoch()
    {
        using var output = new StringWriter();
        var progress = new TrainingProgress(output, live: false, epochs: 2, width: 80);

        progress.Batch(epoch: 1, batch: 1, batches: 3, loss: 2.3, accuracy: 0.1);
        progress.Epoch(new EpochMetrics(1, 2.0, 0.25, 1.9, 0.3), TimeSpan.FromSeconds(1));

        Assert.Matches(@"^epoch 1/2 loss 2\.0000 acc 0\.2500 val_loss 1\.9000 val_acc 0\.3000 1\.0s ETA \d+s\r?\n$", output.ToString());
    }
}
