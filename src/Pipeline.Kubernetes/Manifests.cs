using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Pipeline.Kubernetes;

/// <summary>The manifests of a folder, read as typed objects with the pinned image and namespace filled in.</summary>
internal static partial class Manifests
{
    private static readonly Dictionary<string, Type> Kinds = new()
    {
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["v1/Service"] = typeof(V1Service),
        ["autoscaling/v2/HorizontalPodAutoscaler"] = typeof(V2HorizontalPodAutoscaler),
    };

    public static async Task<List<IKubernetesObject<V1ObjectMeta>>> LoadAsync(DeploymentSettings settings, CancellationToken cancellationToken)
    {
        if (!DigestReference().IsMatch(settings.Image))
        {
            throw new ArgumentException($"image '{settings.Image}' is not pinned to a digest (expected repo@sha256:<64 hex>)", nameof(settings));
        }

        if (!Directory.Exists(settings.ManifestsFolder))
        {
            throw new KubernetesApiException($"manifests folder {settings.ManifestsFolder} does not exist");
        }

        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var file in Directory.GetFiles(settings.ManifestsFolder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var text = await File.ReadAllTextAsync(file, cancellationToken);
            List<object> documents;
            try
            {
                documents = KubernetesYaml.LoadAllFromString(text, Kinds, strict: true);
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException)
            {
                throw new KubernetesApiException($"{Path.GetFileName(file)}: {e.Message} (supported kinds: {string.Join(", ", Kinds.Keys)})", e);
            }

            foreach (var document in documents)
            {
                var item = (IKubernetesObject<V1ObjectMeta>)document;
                item.Metadata.NamespaceProperty = settings.Namespace;
                objects.Add(item);
            }
        }

        var pinned = objects.OfType<V1Deployment>()
            .SelectMany(d => d.Spec.Template.Spec.Containers.Concat(d.Spec.Template.Spec.InitContainers ?? []))
            .Where(c => c.Image == settings.ImagePlaceholder)
            .Select(c => c.Image = settings.Image)
            .Count();
        return pinned > 0
            ? objects
            : throw new KubernetesApiException($"no container in {settings.ManifestsFolder} uses the image placeholder '{settings.ImagePlaceholder}'");
    }

    public static string Describe(IKubernetesObject<V1ObjectMeta> item) => $"{item.Kind.ToLowerInvariant()}/{item.Metadata.Name}";

    [GeneratedRegex("^[^@\\s]+@sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestReference();
}
