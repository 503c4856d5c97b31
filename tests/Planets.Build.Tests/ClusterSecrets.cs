using System.Text.Json.Nodes;
using Kubernetes.Emulator;

namespace Planets.Build.Tests;

/// <summary>What a cluster's administrator creates before training pods can run: the data remote's keys.</summary>
internal static class ClusterSecrets
{
    /// <summary>The Secret <c>pipeline-s3-credentials</c> a training pod reads, holding the test S3 server's keys.</summary>
    public static void AddS3Credentials(KubernetesEmulator cluster) =>
        cluster.Create("secrets", "default", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "pipeline-s3-credentials" },
            ["stringData"] = new JsonObject { ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test" },
        });
}
