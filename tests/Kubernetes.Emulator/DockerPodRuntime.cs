using System.Net;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Kubernetes.Emulator;

/// <summary>
/// A kubelet backed by a real Docker engine: each pod's first container runs in the engine (host network), its
/// stdout and stderr become the pod's log line by line, and its exit code ends the pod. Images are never pulled: one
/// the engine lacks is ErrImagePull, so tests load or build what they run.
/// </summary>
public sealed class DockerPodRuntime : IPodRuntime, IDisposable
{
    /// <summary>The label holding the pod's name on every container this runtime creates.</summary>
    public const string PodNameLabel = "io.kubernetes.pod.name";

    /// <summary>The label holding the pod's namespace.</summary>
    public const string PodNamespaceLabel = "io.kubernetes.pod.namespace";

    /// <summary>The label holding the container's name inside the pod.</summary>
    public const string ContainerNameLabel = "io.kubernetes.container.name";

    private readonly IDockerClient engine;
    private readonly bool ownsEngine;

    /// <summary>Runs pods through <paramref name="engine"/>, which stays the caller's to dispose.</summary>
    public DockerPodRuntime(IDockerClient engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        this.engine = engine;
    }

    /// <summary>Runs pods through the engine at <paramref name="dockerHost"/> (unix:///path/docker.sock, tcp://host:port).</summary>
    public DockerPodRuntime(string dockerHost)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dockerHost);
        using var configuration = new DockerClientConfiguration(new Uri(dockerHost));
        engine = configuration.CreateClient();
        ownsEngine = true;
    }

    /// <inheritdoc/>
    public async Task RunAsync(PodContext pod, CancellationToken deleted)
    {
        ArgumentNullException.ThrowIfNull(pod);
        pod.Scheduled();
        if (!await HasImageAsync(pod.Image, deleted))
        {
            pod.Waiting("ErrImagePull", $"image \"{pod.Image}\" is not in the Docker engine, and this runtime never pulls: load or build it there first");
            return;
        }

        // As a kubelet does: a file of the node's, bind-mounted at the container's termination-message path, read back
        // when the container ends and reported in its terminated state.
        var messageFolder = Directory.CreateTempSubdirectory("pod-termination-");
        var messageFile = Path.Combine(messageFolder.FullName, "termination-log");
        await File.WriteAllBytesAsync(messageFile, [], CancellationToken.None);
        File.SetUnixFileMode(messageFile, (UnixFileMode)0b110_110_110);
        try
        {
            await RunAsync(pod, messageFile, deleted);
        }
        finally
        {
            messageFolder.Delete(recursive: true);
        }
    }

    /// <summary>Closes the engine connection if this runtime opened it.</summary>
    public void Dispose()
    {
        if (ownsEngine)
        {
            engine.Dispose();
        }
    }

    private async Task RunAsync(PodContext pod, string messageFile, CancellationToken deleted)
    {
        CreateContainerParameters parameters;
        try
        {
            parameters = DockerContainerSpec.Build(pod, ContainerName(pod), messageFile);
        }
        catch (ContainerConfigException e)
        {
            pod.Waiting("CreateContainerConfigError", e.Message);
            return;
        }

        // Not the deletion token: a create cut short could still leave a container behind whose id we never learnt.
        string id;
        try
        {
            id = (await engine.Containers.CreateContainerAsync(parameters, CancellationToken.None)).ID;
        }
        catch (DockerApiException e)
        {
            pod.Waiting("CreateContainerError", e.Message);
            return;
        }

        try
        {
            await RunContainerAsync(pod, id, messageFile, deleted);
        }
        finally
        {
            await RemoveAsync(id);
        }
    }

    // Two emulators may share an engine and reuse pod names, so the name alone could collide.
    private static string ContainerName(PodContext pod) => $"{pod.Name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    private async Task<bool> HasImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await engine.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task RunContainerAsync(PodContext pod, string id, string messageFile, CancellationToken deleted)
    {
        try
        {
            await engine.Containers.StartContainerAsync(id, new ContainerStartParameters(), CancellationToken.None);
        }
        catch (DockerApiException e)
        {
            pod.Waiting("CreateContainerError", e.Message);
            return;
        }

        pod.Running(isReady: true);
        var forwarding = ForwardLogAsync(pod, id, deleted);
        ContainerWaitResponse exit;
        try
        {
            exit = await engine.Containers.WaitContainerAsync(id, deleted);
        }
        catch (OperationCanceledException) when (deleted.IsCancellationRequested)
        {
            await KillAsync(id);
            // Killing ends the log stream; its own cancellation is no news.
            await forwarding.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        // Every line must be in the log before Exited closes it.
        await forwarding;
        pod.Exited((int)exit.StatusCode, await TerminationMessageAsync(messageFile));
    }

    private async Task ForwardLogAsync(PodContext pod, string id, CancellationToken deleted)
    {
        var follow = new ContainerLogsParameters { Follow = true, ShowStdout = true, ShowStderr = true };
        using var stream = await engine.Containers.GetContainerLogsAsync(id, tty: false, follow, deleted);
        // One splitter per stream, so a partial stdout line is not glued to a stderr line written meanwhile.
        var stdout = new LineSplitter(pod.WriteLog);
        var stderr = new LineSplitter(pod.WriteLog);
        var buffer = new byte[16 * 1024];
        while (await stream.ReadOutputAsync(buffer, 0, buffer.Length, deleted) is { EOF: false } read)
        {
            var splitter = read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout;
            splitter.Append(buffer.AsSpan(0, read.Count));
        }

        stdout.Flush();
        stderr.Flush();
    }

    // A kubelet keeps at most 4 KiB of the message.
    private static async Task<string?> TerminationMessageAsync(string file)
    {
        var bytes = await File.ReadAllBytesAsync(file);
        return bytes.Length == 0 ? null : Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 4096));
    }

    private async Task KillAsync(string id)
    {
        try
        {
            await engine.Containers.KillContainerAsync(id, new ContainerKillParameters(), CancellationToken.None);
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // It exited on its own meanwhile.
        }
    }

    private async Task RemoveAsync(string id)
    {
        try
        {
            await engine.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Someone removed it already; nothing is left behind either way.
        }
    }

    /// <summary>Cuts a byte stream into lines, decoding UTF-8 across chunk boundaries.</summary>
    private sealed class LineSplitter(Action<string> writeLine)
    {
        private readonly Decoder decoder = Encoding.UTF8.GetDecoder();
        private readonly StringBuilder pending = new();

        public void Append(ReadOnlySpan<byte> bytes)
        {
            var chars = new char[decoder.GetCharCount(bytes, flush: false)];
            decoder.GetChars(bytes, chars, flush: false);
            foreach (var c in chars)
            {
                if (c == '\n')
                {
                    WritePending();
                }
                else
                {
                    pending.Append(c);
                }
            }
        }

        public void Flush()
        {
            if (pending.Length > 0)
            {
                WritePending();
            }
        }

        private void WritePending()
        {
            writeLine(pending.ToString().TrimEnd('\r'));
            pending.Clear();
        }
    }
}
