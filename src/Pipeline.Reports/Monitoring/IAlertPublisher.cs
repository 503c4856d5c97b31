using Pipeline.Monitoring;

namespace Pipeline.Reports.Monitoring;

/// <summary>Somewhere a drift alert reaches the team, such as an issue of the repository.</summary>
public interface IAlertPublisher
{
    /// <summary>Where it raises alerts, for messages (never a secret).</summary>
    string Place { get; }

    /// <summary>Raises an alert for <paramref name="result"/>, or updates the one still open: never a second one.</summary>
    /// <param name="result">The drift found.</param>
    /// <param name="reportUrl">Where readers open the full report; null when it is only on the machine that wrote it.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>The alert's address.</returns>
    Task<string> RaiseAsync(DriftResult result, string? reportUrl, CancellationToken cancellationToken);
}
