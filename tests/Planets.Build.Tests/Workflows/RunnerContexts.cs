using System.Text.Json.Nodes;

namespace Planets.Build.Tests.Workflows;

/// <summary>The expression contexts of a GitHub-hosted run, for the workflow tests.</summary>
internal static class RunnerContexts
{
    /// <summary>
    /// The contexts a hosted runner has for pull request 7 of octo/planets, from a branch of its own or of a fork,
    /// which gets no secrets (its GITHUB_TOKEN is read-only); no variables are set but TRAINING_CLUSTER when asked.
    /// </summary>
    public static JsonObject PullRequest(bool fork, bool trainingCluster = false) => new()
    {
        ["github"] = new JsonObject
        {
            ["event_name"] = "pull_request",
            ["repository"] = "octo/planets",
            ["head_ref"] = "feature",
            ["ref"] = "refs/pull/7/merge",
            ["sha"] = "abc123",
            ["run_id"] = "42",
            ["token"] = "ghs_workflow_token",
            ["event"] = new JsonObject
            {
                ["number"] = 7,
                ["pull_request"] = new JsonObject
                {
                    ["number"] = 7,
                    ["head"] = new JsonObject { ["ref"] = "feature", ["repo"] = new JsonObject { ["full_name"] = fork ? "someone/planets" : "octo/planets" } },
                },
            },
        },
        ["vars"] = trainingCluster ? new JsonObject { ["TRAINING_CLUSTER"] = "true" } : new JsonObject(),
        ["secrets"] = fork ? new JsonObject() : new JsonObject
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIA-TEST",
            ["AWS_SECRET_ACCESS_KEY"] = "s3cret-key",
            ["REGISTRY_USERNAME"] = "registry-user",
            ["REGISTRY_PASSWORD"] = "registry-password",
            ["KUBECONFIG"] = "kubeconfig-text",
        },
        ["runner"] = new JsonObject { ["os"] = "Linux" },
    };

    /// <summary>
    /// The contexts of a push to main of octo/planets: the repository's secrets (test values) and no variables set.
    /// </summary>
    public static JsonObject PushToMain()
    {
        var contexts = PullRequest(fork: false);
        var github = (JsonObject)contexts["github"]!;
        github["event_name"] = "push";
        github["ref"] = "refs/heads/main";
        github.Remove("head_ref");
        github["event"] = new JsonObject { ["ref"] = "refs/heads/main" };
        return contexts;
    }

    /// <summary>
    /// The contexts of octo/planets' scheduled run on main (<paramref name="since"/> null), or of one started by hand
    /// with that input: the repository's secrets (test values) and no variables set.
    /// </summary>
    public static JsonObject Scheduled(string? since = null)
    {
        var contexts = PushToMain();
        var github = (JsonObject)contexts["github"]!;
        github["event_name"] = since is null ? "schedule" : "workflow_dispatch";
        github["event"] = since is null
            ? new JsonObject { ["schedule"] = "17 6 * * *" }
            : new JsonObject { ["inputs"] = new JsonObject { ["since"] = since }, ["ref"] = "refs/heads/main" };
        return contexts;
    }
}
