using System.Net;
using System.Net.Sockets;

namespace Gate.LoadTests.Infrastructure;

/// <summary>A loopback TCP port nobody listens on right now (for servers that cannot pick port 0 and report it).</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
