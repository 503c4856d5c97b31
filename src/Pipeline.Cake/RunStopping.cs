using System.Runtime.InteropServices;

namespace Pipeline.Cake;

/// <summary>
/// Ctrl+C and SIGTERM (what CI runners and process managers send) as one token that every long target honours: the
/// first stops the run's work cleanly (a stage's process is stopped, nothing half-done is recorded, Cake's teardown
/// still releases the repository lock) and the run ends with an error; a second Ctrl+C ends the process at once.
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
