using System.Net;
using Gate.Client;

namespace GateSidecar.Transport.Services;

/// <summary>
/// <c>Gate</c> and <c>Audit</c> serve processes on the sidecar's own host, or clients that presented a
/// certificate when TLS client certificates are required.
/// </summary>
internal static class CallerGuard
{
    public static void RequireLocalOrCertificate(ServerCallContext context)
    {
        var connection = context.HttpContext.Connection;
        if (connection.RemoteIpAddress is { } ip && !IPAddress.IsLoopback(ip) && connection.ClientCertificate is null)
        {
            throw new RpcException(StatusCode.PermissionDenied, $"{context.Method} serves only processes on the sidecar's host or clients with a certificate; connect over loopback or configure --tls-client-ca");
        }
    }
}
