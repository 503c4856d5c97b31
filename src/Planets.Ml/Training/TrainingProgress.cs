using System.Diagnostics;
using System.Globalization;

namespace Planets.Ml.Training;

/// <summary>
/// Reports training progress: on a terminal one live line redrawn per batch, cut to the terminal's width so it never
/// wraps, elsewhere (CI, a redirected stdout, tests) one plain line per epoch so logs stay readable.
/// </summary>
internal sealed class TrainingProgress(TextWriter output, bool live, int epochs, int width)
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private int _drawn;

    /// <summary>
    /// Columns of the terminal the live line is drawn on: <c>COLUMNS</c> (a shell sets it, and the pipeline passes its
    /// own terminal's on to the stage), else the console's when it is one, else 80.
    /// </summary>
    public static int TerminalWidth() =>
        int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0
            ? columns
            : !Console.IsOutputRedirected && Console.WindowWidth > 0 ? Console.WindowWidth : 80;

    /// <summary>
    /// True when a person watches a terminal: stdout is one and this is not a CI run, or the pipeline that started
    /// this process, whose own stdout is a terminal, says so with <c>PIPELINE_INTERACTIVE=1</c>
    /// (it pipes our output through, so we cannot see the terminal ourselves).
    /// </summary>
    public static bool IsInteractive(TextWriter output)
    {
        if (!ReferenceEquals(output, Console.Out))
        {
            return false;
        }

        return Environment.GetEnvironmentVariable("PIPELINE_INTERACTIVE") switch
        {
            "1" => true,
            "0" => false,
            _ => !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")),
        };
    }

    /// <summary>Redraws the live line after a batch; silent in plain mode.</summary>
    public void Batch(int epoch, int batch, int batches, double loss, double accuracy)
    {
        if (!live)
        {
            return;
        }

        var done = (epoch - 1 + ((double)batch / batches)) / epochs;
        var bar = new string('#', (int)(done * 20)).PadRight(20, '.');
        Redraw(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs} [{bar}] loss {loss:F4} acc {accuracy:F4} ETA {Eta(done)}"));
        output.Flush();
    }

    /// <summary>Writes the finished epoch's line.</summary>
    public void Epoch(EpochMetrics m, TimeSpan epochTime)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {m.Epoch}/{epochs} loss {m.Loss:F4} acc {m.Accuracy:F4} val_loss {m.ValLoss:F4} val_acc {m.ValAccuracy:F4} {epochTime.TotalSeconds:F1}s ETA {Eta((double)m.Epoch / epochs)}");
        if (live)
        {
            // The live line cleared, then the whole epoch line: it stays in the scrollback, so nothing of it is cut.
            output.Write("\r" + new string(' ', _drawn) + "\r");
            _drawn = 0;
        }

        output.WriteLine(line);
    }

    // Over the live line: cut to one column less than the terminal (a full line wraps on some terminals, and a wrapped
    // line cannot be redrawn), padded with spaces over what a longer line before it left.
    private void Redraw(string line)
    {
        var fitted = line.Length < width ? line : line[..Math.Max(width - 1, 0)];
        output.Write("\r" + fitted.PadRight(_drawn));
        _drawn = fitted.Length;
    }

    private string Eta(double done)
    {
        if (done <= 0)
        {
            return "?";
        }

        var remaining = _total.Elapsed.TotalSeconds * (1 - done) / done;
        return string.Create(CultureInfo.InvariantCulture, $"{remaining:F0}s");
    }
}
