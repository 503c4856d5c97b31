using System.Runtime.InteropServices;

namespace Pipeline.Core.Execution;

/// <summary>
/// Ctrl+C and SIGTERM (what CI runners, process managers and a deleted pod send) as one token for the whole process,
/// which every long operation honours: the first stops the work cleanly (a stage's process is stopped, nothing
/// half-done is recorded, Cake's teardown still releases the repository lock) and the process ends with an error; a
/// second Ctrl+C ends it at once.
/// </summary>
public static class RunStopping
{
    private static readonly Lazy<CancellationTokenSource> Source = new(Listen);

    // Held for the process's lifetime: a collected registration would stop keeping SIGTERM from ending the process.
    private static PosixSignalRegistration? termination;

    /// <summary>Cancelled when the run is asked to stop.</summary>
    public static CancellationToken Token => Source.Value.Token;

    private static CancellationTokenSource Listen()
    {
        var source = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = !source.IsCancellationRequested;
            source.Cancel();
        };

        termination = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            source.Cancel();
        });
        return source;
    }
}
