using Cake.Core;
using Pipeline.Cake;
using Pipeline.GitHub;
using Pipeline.Reports;
using Pipeline.Reports.Monitoring;

namespace Planets.Build.Targets;

/// <summary>
/// Where this repository publishes its experiment report (the pull request a GitHub workflow runs for) and raises
/// drift alerts (an issue of the repository).
/// </summary>
internal static class ReportTargets
{
    /// <summary>
    /// The pull request from the runner's environment (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_REF), or <c>--pr=N</c>;
    /// the job summary for a pull request from a fork, whose token may not comment.
    /// </summary>
    public static IReportPublisher GitHubPullRequest(ICakeContext context) =>
        WorkflowReportPublisher.Choose(Environment.GetEnvironmentVariable, new TargetOptions(context).Text("pr"), new CakePipelineLog(context.Log));

    /// <summary>The repository from the runner's environment (GITHUB_TOKEN, GITHUB_REPOSITORY), whose one open drift-alert issue is opened or updated.</summary>
    public static IAlertPublisher GitHubIssue(ICakeContext context) =>
        DriftAlertPublisher.Create(GitHubRepository.FromEnvironment(Environment.GetEnvironmentVariable, "raising a drift alert", "a token that may write issues"));
}
