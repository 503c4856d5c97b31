using System.Net;
using System.Net.Sockets;

namespace Pipeline.Testing;

/// <summary>Ports for the servers tests start.</summary>
internal static class TcpPorts
{
    /// <summary>A 127.0.0.1 port nobody listens on now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
