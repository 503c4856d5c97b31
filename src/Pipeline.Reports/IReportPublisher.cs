namespace Pipeline.Reports;

/// <summary>Somewhere an experiment report is published for reviewers, such as a pull request's comment.</summary>
public interface IReportPublisher
{
    /// <summary>Where it publishes, for messages (never a secret).</summary>
    string Place { get; }

    /// <summary>Publishes <paramref name="report"/>, whose plot images are in <paramref name="reportFolder"/>.</summary>
    /// <returns>The address where it can be read.</returns>
    Task<string> PublishAsync(ExperimentReport report, string reportFolder, CancellationToken cancellationToken);
}
