using System.Diagnostics;
using System.Globalization;
using Gate.Client;
using GateSidecar.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GateSidecar.Telemetry;

/// <summary>The names of one gRPC method for its server span, built once per route.</summary>
internal sealed record RpcMethodName(string SpanName, string Service, string Method)
{
    /// <summary><c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>, given to the span as it starts.</summary>
    public KeyValuePair<string, object?>[] Tags { get; } =
    [
        new(GateAttributes.RpcSystem, "grpc"),
        new(GateAttributes.RpcService, Service),
        new(GateAttributes.RpcMethod, Method),
    ];

    /// <summary>From a path such as <c>/gate.v1.Gate/Check</c>.</summary>
    public static RpcMethodName FromPath(string path)
    {
        var trimmed = path.TrimStart('/');
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? new(trimmed, trimmed, string.Empty) : new(trimmed, trimmed[..slash], trimmed[(slash + 1)..]);
    }
}

/// <summary>
/// The server span of one gRPC call (RPC semantic conventions), continuing the caller's W3C
/// <c>traceparent</c>/<c>tracestate</c> metadata. Gate's own span rather than ASP.NET Core's
/// request activity: that one exists only when something listens to it, spans the HTTP port as
/// well, and carries no RPC attributes.
/// </summary>
internal static class GrpcServerTracing
{
    private const string TraceParentHeader = "traceparent";
    private const string TraceStateHeader = "tracestate";

    /// <summary>False when no tracer listens: the dispatcher then calls the handler directly.</summary>
    public static bool Enabled => GateDiagnostics.Source.HasListeners();

    public static async Task TraceAsync(HttpContext http, GrpcMethodHandler handler, RpcMethodName name)
    {
        var headers = http.Request.Headers;
        ActivityContext.TryParse(headers[TraceParentHeader].ToString(), headers[TraceStateHeader].ToString(), isRemote: true, out var caller);
        using var span = GateDiagnostics.StartWithParent(name.SpanName, ActivityKind.Server, caller, links: null, startTime: default, name.Tags);

        // Handlers never throw: every outcome ends as a grpc-status, read back below.
        await handler.HandleAsync(http).ConfigureAwait(false);

        if (span is { IsAllDataRequested: true })
        {
            var status = StatusOf(http);
            span.SetTag(GateAttributes.RpcGrpcStatusCode, (int)status);
            if (IsServerError(status))
            {
                span.SetTag(GateAttributes.ErrorType, ((int)status).ToString(CultureInfo.InvariantCulture));
                span.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    private static StatusCode StatusOf(HttpContext http)
    {
        var value = http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers.GrpcStatus.ToString();
        if (string.IsNullOrEmpty(value))
        {
            // Trailers-Only: the status travelled in the headers.
            value = http.Response.Headers.GrpcStatus.ToString();
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return (StatusCode)code;
        }

        return http.RequestAborted.IsCancellationRequested ? StatusCode.Cancelled : StatusCode.Unknown;
    }

    /// <summary>Server-side errors per the RPC conventions; a caller's mistake (e.g. INVALID_ARGUMENT) is not one.</summary>
    private static bool IsServerError(StatusCode status) => status is StatusCode.Unknown or StatusCode.DeadlineExceeded
        or StatusCode.Unimplemented or StatusCode.Internal or StatusCode.Unavailable or StatusCode.DataLoss;
}
