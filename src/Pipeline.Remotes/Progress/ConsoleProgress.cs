using System.Diagnostics;
using System.Globalization;
using Pipeline.Core;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes.Progress;

/// <summary>
/// Shows files and bytes moved: on a terminal one line redrawn in place a few times a second; in CI or a log file a
/// plain line every few seconds (a redrawn line would fill a log with carriage returns).
/// </summary>
public sealed class ConsoleProgress : ITransferProgress, IDisposable
{
    private readonly TextWriter writer;
    private readonly bool interactive;
    private readonly TimeSpan interval;
    private readonly Lock gate = new();
    private readonly Stopwatch clock = new();
    private Timer? timer;
    private string operation = "";
    private int totalFiles;
    private long totalBytes;
    private int doneFiles;
    private long doneBytes;

    /// <summary>Creates a display writing to <paramref name="writer"/>.</summary>
    /// <param name="writer">Where lines go.</param>
    /// <param name="interactive">True to redraw one line; false for periodic plain lines.</param>
    /// <param name="interval">How often a line is drawn or printed.</param>
    public ConsoleProgress(TextWriter writer, bool interactive, TimeSpan interval)
    {
        this.writer = writer;
        this.interactive = interactive;
        this.interval = interval;
    }

    /// <summary>
    /// A display on the console: redrawn when a person watches a terminal, plain lines every 5 seconds when output is
    /// redirected, <c>CI</c> is set or <c>PIPELINE_INTERACTIVE=0</c>.
    /// </summary>
    public static ConsoleProgress ForConsole()
    {
        var interactive = !Console.IsOutputRedirected &&
            string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) &&
            Environment.GetEnvironmentVariable("PIPELINE_INTERACTIVE") != "0";
        return new ConsoleProgress(Console.Out, interactive, interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5));
    }

    /// <inheritdoc />
    public void Begin(string operation, int files, long bytes)
    {
        lock (gate)
        {
            this.operation = operation;
            (totalFiles, totalBytes, doneFiles, doneBytes) = (files, bytes, 0, 0);
            clock.Restart();
            timer?.Dispose();
            timer = new Timer(_ => Draw(final: false), null, interval, interval);
        }
    }

    /// <inheritdoc />
    public void FileDone(long bytes)
    {
        Interlocked.Increment(ref doneFiles);
        Interlocked.Add(ref doneBytes, bytes);
    }

    /// <inheritdoc />
    public void Finish()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = null;
        }

        if (totalFiles > 0)
        {
            Draw(final: true);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = null;
        }
    }

    /// <summary>The progress line, such as <c>Pushing: 120/1605 files, 1.2/12.0 MB, 3.4 MB/s</c>.</summary>
    public string Describe()
    {
        var files = Volatile.Read(ref doneFiles);
        var bytes = Interlocked.Read(ref doneBytes);
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        return string.Create(CultureInfo.InvariantCulture,
            $"{operation}: {files}/{totalFiles} files, {ByteSize.Megabytes(bytes)}/{ByteSize.Megabytes(Math.Max(bytes, totalBytes))} MB, {ByteSize.Megabytes((long)(bytes / seconds))} MB/s");
    }

    private void Draw(bool final)
    {
        lock (gate)
        {
            var line = Describe();
            if (interactive)
            {
                writer.Write("\r" + line.PadRight(Console.IsOutputRedirected ? 0 : Math.Min(Console.WindowWidth - 1, 100)) + (final ? "\n" : ""));
            }
            else
            {
                writer.WriteLine(line);
            }

            writer.Flush();
        }
    }

}
