using System.Collections.Concurrent;

namespace Kubernetes.Emulator;

/// <summary>What a simulated pod does: a script that reports its states and log through the context.</summary>
public delegate Task PodScript(PodContext pod, CancellationToken deleted);

/// <summary>A kubelet without containers: each pod follows the script chosen for its image, or <see cref="Default"/>.</summary>
public sealed class SimulatedPodRuntime : IPodRuntime
{
    private readonly ConcurrentDictionary<string, PodScript> byImage = new(StringComparer.Ordinal);

    /// <summary>The script for images without one of their own: ready almost at once, running until deleted.</summary>
    public PodScript Default { get; set; } = PodScripts.ReadyAfter(TimeSpan.FromMilliseconds(20));

    /// <summary>Chooses a script from the whole pod (null to fall back to the image's); checked first.</summary>
    public Func<PodContext, PodScript?>? Choose { get; set; }

    /// <summary>Makes every pod running <paramref name="image"/> follow <paramref name="script"/>.</summary>
    public SimulatedPodRuntime ForImage(string image, PodScript script)
    {
        byImage[image] = script;
        return this;
    }

    /// <inheritdoc/>
    public Task RunAsync(PodContext pod, CancellationToken deleted)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var script = Choose?.Invoke(pod) ?? (byImage.TryGetValue(pod.Image, out var chosen) ? chosen : Default);
        return script(pod, deleted);
    }
}
