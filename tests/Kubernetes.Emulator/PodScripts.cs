namespace Kubernetes.Emulator;

/// <summary>Ready-made behaviours for <see cref="SimulatedPodRuntime"/>.</summary>
public static class PodScripts
{
    /// <summary>Starts, passes its readiness probe after <paramref name="delay"/>, and runs until deleted.</summary>
    public static PodScript ReadyAfter(TimeSpan delay) => async (pod, deleted) =>
    {
        pod.Scheduled();
        pod.Running(isReady: false);
        await Task.Delay(delay, deleted);
        pod.Ready();
        await Task.Delay(Timeout.Infinite, deleted);
    };

    /// <summary>Runs but never passes its readiness probe.</summary>
    public static PodScript NeverReady() => async (pod, deleted) =>
    {
        pod.Scheduled();
        pod.Running(isReady: false);
        await Task.Delay(Timeout.Infinite, deleted);
    };

    /// <summary>Starts, exits with <paramref name="exitCode"/>, and is restarted again and again (CrashLoopBackOff).</summary>
    public static PodScript CrashLoop(int exitCode = 1, TimeSpan? interval = null) => async (pod, deleted) =>
    {
        pod.Scheduled();
        while (!deleted.IsCancellationRequested)
        {
            pod.Running(isReady: false);
            pod.WriteLog($"fatal: exiting with {exitCode}");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(30), deleted);
            pod.Crashed(exitCode);
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(30), deleted);
        }
    };

    /// <summary>Its image cannot be pulled: it stays Pending in ImagePullBackOff.</summary>
    public static PodScript ImagePullBackOff() => async (pod, deleted) =>
    {
        pod.Scheduled();
        pod.Waiting("ErrImagePull", $"failed to pull image \"{pod.Image}\": not found");
        await Task.Delay(TimeSpan.FromMilliseconds(20), deleted);
        pod.Waiting("ImagePullBackOff", $"Back-off pulling image \"{pod.Image}\"");
        await Task.Delay(Timeout.Infinite, deleted);
    };

    /// <summary>No node fits it: it stays Pending with the scheduler's <paramref name="message"/>.</summary>
    public static PodScript Unschedulable(string message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.") => async (pod, deleted) =>
    {
        pod.Unschedulable(message);
        await Task.Delay(Timeout.Infinite, deleted);
    };

    /// <summary>
    /// Runs, writes <paramref name="lines"/> to its log (one every <paramref name="lineDelay"/>), then exits with
    /// <paramref name="exitCode"/>, leaving <paramref name="message"/> as its termination message.
    /// </summary>
    public static PodScript Exit(int exitCode, IReadOnlyList<string> lines, TimeSpan? lineDelay = null, string? message = null) => async (pod, deleted) =>
    {
        pod.Scheduled();
        pod.Running(isReady: true);
        foreach (var line in lines)
        {
            await Task.Delay(lineDelay ?? TimeSpan.FromMilliseconds(5), deleted);
            pod.WriteLog(line);
        }

        pod.Exited(exitCode, message);
    };
}
