using System.Net;
using System.Net.Sockets;

namespace Remotes.Benchmarks;

/// <summary>
/// A TCP proxy in front of the local S3 server that holds each request for a fixed delay, as a network between a
/// build machine and a bucket does; responses pass at once. A request is what the client sends after the server
/// last answered (HTTP/1.1 without pipelining), so a PUT with <c>Expect: 100-continue</c> pays two delays, as it
/// would on a real network.
/// </summary>
internal sealed class LatencyProxy : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Uri upstream;
    private readonly TimeSpan delay;

    public LatencyProxy(string upstreamEndpoint, TimeSpan delay)
    {
        upstream = new Uri(upstreamEndpoint);
        this.delay = delay;
        listener.Start();
        _ = AcceptAsync();
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            client.NoDelay = server.NoDelay = true;
            await server.ConnectAsync(upstream.Host, upstream.Port);
            var answered = new StrongBox(true);
            var toServer = PumpAsync(client.GetStream(), server.GetStream(), answered, delayed: true);
            var toClient = PumpAsync(server.GetStream(), client.GetStream(), answered, delayed: false);
            await Task.WhenAny(toServer, toClient);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, StrongBox answered, bool delayed)
    {
        var buffer = new byte[1 << 16];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
            {
                if (delayed && answered.Value)
                {
                    answered.Value = false;
                    await Task.Delay(delay, stop.Token);
                }
                else if (!delayed)
                {
                    answered.Value = true;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private sealed class StrongBox(bool value)
    {
        public volatile bool Value = value;
    }
}
