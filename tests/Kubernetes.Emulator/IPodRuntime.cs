namespace Kubernetes.Emulator;

/// <summary>
/// The emulator's kubelet: decides what a pod does once it exists. <see cref="SimulatedPodRuntime"/> follows scripts
/// tests give it; a runtime backed by the Docker engine runs the pod's container for real through the same
/// <see cref="PodContext"/> (report the container's state and forward its log lines).
/// </summary>
public interface IPodRuntime
{
    /// <summary>Runs one pod until it ends, or until <paramref name="deleted"/> fires because the pod was deleted.</summary>
    /// <param name="pod">The pod, and the way to report its state and log.</param>
    /// <param name="deleted">Fires when the pod is deleted (or the emulator stops): stop its container then.</param>
    Task RunAsync(PodContext pod, CancellationToken deleted);
}
