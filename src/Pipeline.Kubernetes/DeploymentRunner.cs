using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Pipeline.Core.Execution;

namespace Pipeline.Kubernetes;

/// <summary>
/// Deploys the manifests of the repository: server-side apply of every object with the image pinned to its digest,
/// then a watched rollout; a failed rollout is undone to the previous revision, as <c>kubectl rollout undo</c> does.
/// </summary>
/// <param name="client">The cluster's API.</param>
public sealed class DeploymentRunner(IKubernetes client)
{
    /// <summary>Applies the manifests and waits for the Deployment's rollout.</summary>
    /// <param name="settings">What to deploy and where.</param>
    /// <param name="progress">Told one line per step and per change of the rollout's state; in a dry run, the manifests as they would be applied.</param>
    /// <param name="cancellationToken">Stops waiting; what was applied stays applied.</param>
    /// <exception cref="DeploymentFailedException">The rollout failed; it was rolled back when there was a revision to go back to.</exception>
    /// <exception cref="KubernetesApiException">The API refused a request or could not be reached.</exception>
    public async Task<DeploymentResult> DeployAsync(DeploymentSettings settings, IPipelineLog progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var objects = await Manifests.LoadAsync(settings, cancellationToken);
        var names = objects.Select(Manifests.Describe).ToList();
        if (settings.DryRun)
        {
            foreach (var item in objects)
            {
                progress.Information("---\n" + KubernetesYaml.Serialize(item).TrimEnd('\n'));
            }

            return new DeploymentResult(names, 0);
        }

        try
        {
            foreach (var item in objects)
            {
                var created = await ApplyAsync(item, settings, cancellationToken);
                progress.Information($"{Manifests.Describe(item)} {(created ? "created" : "configured")} (server-side apply)");
            }

            var revision = 0;
            foreach (var deployment in objects.OfType<V1Deployment>())
            {
                revision = await RollOutAsync(deployment.Metadata.Name, settings, progress, cancellationToken);
            }

            return new DeploymentResult(names, revision);
        }
        catch (Exception e) when (KubernetesApiException.From(e, client.BaseUri) is { } failure && !ReferenceEquals(failure, e))
        {
            throw failure;
        }
    }

    private async Task<bool> ApplyAsync(IKubernetesObject<V1ObjectMeta> item, DeploymentSettings settings, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(KubernetesJson.Serialize(item), V1Patch.PatchType.ApplyPatch);
        var (name, ns, manager, force) = (item.Metadata.Name, settings.Namespace, settings.FieldManager, settings.ForceConflicts);
        HttpStatusCode status;
        switch (item)
        {
            case V1Deployment:
                using (var response = await client.AppsV1.PatchNamespacedDeploymentWithHttpMessagesAsync(
                    patch, name, ns, fieldManager: manager, force: force, cancellationToken: cancellationToken))
                {
                    status = response.Response.StatusCode;
                }

                break;
            case V1Service:
                using (var response = await client.CoreV1.PatchNamespacedServiceWithHttpMessagesAsync(
                    patch, name, ns, fieldManager: manager, force: force, cancellationToken: cancellationToken))
                {
                    status = response.Response.StatusCode;
                }

                break;
            case V2HorizontalPodAutoscaler:
                using (var response = await client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerWithHttpMessagesAsync(
                    patch, name, ns, fieldManager: manager, force: force, cancellationToken: cancellationToken))
                {
                    status = response.Response.StatusCode;
                }

                break;
            default:
                throw new KubernetesApiException($"cannot apply {item.Kind}: only Deployment, Service and HorizontalPodAutoscaler are supported");
        }

        return status == HttpStatusCode.Created;
    }

    private async Task<int> RollOutAsync(string name, DeploymentSettings settings, IPipelineLog progress, CancellationToken cancellationToken)
    {
        var ns = settings.Namespace;
        var outcome = await new RolloutMonitor(client, ns, name, progress).WaitAsync(settings.RolloutTimeout, judgePods: true, cancellationToken);
        if (outcome.Failure is null)
        {
            return outcome.Revision;
        }

        progress.Warning($"rollout: failed: {outcome.Failure}");
        var previous = await RollBackAsync(name, settings, cancellationToken);
        if (previous is null)
        {
            throw new DeploymentFailedException($"deployment/{name} failed: {outcome.Failure}; nothing to roll back to (this was its first revision)")
            {
                Reason = outcome.Failure,
            };
        }

        progress.Warning($"rollout: rolling back to revision {previous}");
        var undo = await new RolloutMonitor(client, ns, name, progress).WaitAsync(settings.RolloutTimeout, judgePods: false, cancellationToken);
        var undone = undo.Failure is null ? "" : $", but the rollback did not finish either: {undo.Failure}";
        throw new DeploymentFailedException($"deployment/{name} failed: {outcome.Failure}; rolled back to revision {previous}{undone}")
        {
            Reason = outcome.Failure,
            RolledBackToRevision = previous,
        };
    }

    /// <summary>Puts the pod template of the newest older ReplicaSet back; null when the Deployment has no older one.</summary>
    private async Task<int?> RollBackAsync(string name, DeploymentSettings settings, CancellationToken cancellationToken)
    {
        var ns = settings.Namespace;
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken);
        var current = RolloutMonitor.ParseRevision(deployment.Metadata.Annotations);
        var sets = await client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: cancellationToken);
        var previous = sets.Items
            .Where(s => s.Metadata.OwnerReferences?.Any(o => o.Uid == deployment.Metadata.Uid) == true)
            .Select(s => (Set: s, Revision: RolloutMonitor.ParseRevision(s.Metadata.Annotations)))
            .Where(s => s.Revision > 0 && s.Revision < current)
            .OrderByDescending(s => s.Revision)
            .FirstOrDefault();
        if (previous.Set is null)
        {
            return null;
        }

        // The template is replaced whole (a JSON patch), so nothing of the failed revision survives; the hash label is
        // the ReplicaSet's own, which the controller adds again.
        var template = previous.Set.Spec.Template;
        template.Metadata?.Labels?.Remove("pod-template-hash");
        var patch = new JsonArray(new JsonObject
        {
            ["op"] = "replace",
            ["path"] = "/spec/template",
            ["value"] = JsonNode.Parse(KubernetesJson.Serialize(template)),
        });
        await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), name, ns, fieldManager: settings.FieldManager, cancellationToken: cancellationToken);
        return previous.Revision;
    }
}
