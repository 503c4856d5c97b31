namespace Pipeline.Kubernetes;

/// <summary>How a training pod's container ended.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Message">
/// What it wrote to <see cref="MessagePath"/> (its termination message, at most 4 KiB), such as a JSON result; null
/// when it wrote nothing.
/// </param>
public sealed record PodExit(int ExitCode, string? Message)
{
    /// <summary>
    /// Where the container writes its result: the kubelet reads the file when the container ends and puts it in the
    /// pod's status, where the submitter reads it through the API.
    /// </summary>
    public const string MessagePath = "/dev/termination-log";
}
