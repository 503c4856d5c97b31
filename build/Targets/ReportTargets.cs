using Cake.Core;
using Pipeline.Cake;
using Pipeline.GitHub;
using Pipeline.Reports;

namespace Planets.Build.Targets;

/// <summary>Where this repository publishes its experiment report: the pull request a GitHub workflow runs for.</summary>
internal static class ReportTargets
{
    /// <summary>The pull request from the runner's environment (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_REF), or <c>--pr=N</c>.</summary>
    public static IReportPublisher GitHubPullRequest(ICakeContext context) =>
        ReportPublisher.Create(GitHubTarget.FromEnvironment(Environment.GetEnvironmentVariable, new TargetOptions(context).Text("pr")));
}
