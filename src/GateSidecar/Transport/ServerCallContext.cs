using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

/// <summary>What a gRPC handler may know about the call it serves.</summary>
internal sealed class ServerCallContext
{
    public ServerCallContext(HttpContext httpContext, string method, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The full method name, e.g. <c>/gate.v1.Gate/Check</c>.</summary>
    public string Method { get; }

    /// <summary>From <c>grpc-timeout</c>; null when the caller set none.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Cancelled when the deadline passes or the client goes away.</summary>
    public CancellationToken CancellationToken { get; }

    public HttpContext HttpContext { get; }

    /// <summary>A request metadata value (e.g. <c>authorization</c>, <c>traceparent</c>), or null.</summary>
    public string? GetHeader(string name)
    {
        var values = HttpContext.Request.Headers[name];
        return values.Count == 0 ? null : values[0];
    }
}
