using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace GateSidecar.Hosting;

/// <summary>The addresses the sidecar is bound to, known once the server has started (port 0 resolved).</summary>
internal sealed class GateEndpoints
{
    private readonly string _scheme;

    public GateEndpoints(bool tls)
    {
        _scheme = tls ? "https" : "http";
    }

    internal ListenOptions? GrpcListener { get; set; }

    internal ListenOptions? HttpListener { get; set; }

    /// <summary>e.g. <c>http://127.0.0.1:7070</c>.</summary>
    public Uri GrpcAddress => AddressOf(GrpcListener, "gRPC");

    /// <summary>e.g. <c>http://127.0.0.1:7080</c>.</summary>
    public Uri HttpAddress => AddressOf(HttpListener, "HTTP");

    /// <summary>True for a connection accepted on the gRPC port.</summary>
    internal bool IsGrpcPort(int localPort) => GrpcListener?.IPEndPoint?.Port == localPort;

    /// <summary>The lines tests and scripts parse: <c>gate: grpc listening on http://127.0.0.1:41234</c>.</summary>
    public void Report(TextWriter output)
    {
        output.WriteLine($"gate: grpc listening on {GrpcAddress.GetLeftPart(UriPartial.Authority)}");
        output.WriteLine($"gate: http listening on {HttpAddress.GetLeftPart(UriPartial.Authority)}");
        output.Flush();
    }

    private Uri AddressOf(ListenOptions? listener, string name)
    {
        var endPoint = listener?.IPEndPoint;
        if (endPoint is null || endPoint.Port == 0)
        {
            throw new InvalidOperationException($"the {name} endpoint is not bound yet; read addresses after the host has started");
        }

        var host = endPoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]"
            : endPoint.Address.ToString();
        if (endPoint.Address.Equals(IPAddress.Any))
        {
            host = "0.0.0.0";
        }

        return new Uri($"{_scheme}://{host}:{endPoint.Port}");
    }
}
