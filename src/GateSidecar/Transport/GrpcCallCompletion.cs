using Gate.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Transport;

/// <summary>
/// The one place where a call's outcome becomes a gRPC status: exceptions are mapped here, and the
/// status is written as trailers, or as Trailers-Only when nothing was sent yet.
/// </summary>
internal static class GrpcCallCompletion
{
    public static void CompleteOk(HttpContext http)
    {
        var trailers = http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers
            ?? throw new InvalidOperationException("the server does not support response trailers; gRPC needs HTTP/2");
        trailers.GrpcStatus = GrpcProtocol.StatusValue(StatusCode.OK);
    }

    /// <summary>Ends the call with the status an exception stands for.</summary>
    public static Task FailAsync(HttpContext http, ServerCallContext call, Exception exception, ILogger logger)
    {
        StatusCode status;
        string detail;
        switch (exception)
        {
            case RpcException rpc:
                status = rpc.Status;
                detail = rpc.Detail;
                break;
            case OperationCanceledException when call.DeadlineExpired:
                status = StatusCode.DeadlineExceeded;
                detail = $"the deadline (grpc-timeout {http.Request.Headers.GrpcTimeout}) passed before {call.Method} finished";
                break;
            case BadHttpRequestException bad:
                status = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument;
                detail = $"the request could not be read: {bad.Message}";
                break;
            case OperationCanceledException when call.ServerStopping.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested:
                status = StatusCode.Unavailable;
                detail = $"the sidecar is shutting down: retry {call.Method}, or re-attach with Watch";
                break;
            case OperationCanceledException or IOException when http.RequestAborted.IsCancellationRequested:
                // The client reset the stream: there is nobody left to tell.
                GrpcServerLog.ClientCancelled(logger, call.Method);
                return Task.CompletedTask;
            default:
                GrpcServerLog.HandlerFailed(logger, call.Method, http.TraceIdentifier, exception);
                status = StatusCode.Internal;
                detail = $"internal error in {call.Method}; the sidecar's log has the details (trace id {http.TraceIdentifier})";
                break;
        }

        GrpcServerLog.CallEndedWithStatus(logger, call.Method, status, detail);
        return CompleteAsync(http, status, detail);
    }

    /// <summary>Ends the call with <paramref name="status"/>; <paramref name="detail"/> becomes <c>grpc-message</c>.</summary>
    public static Task CompleteAsync(HttpContext http, StatusCode status, string detail)
    {
        var response = http.Response;
        if (response.HasStarted)
        {
            var trailers = http.Features.Get<IHttpResponseTrailersFeature>()!.Trailers;
            trailers.GrpcStatus = GrpcProtocol.StatusValue(status);
            trailers.GrpcMessage = GrpcMessageEncoding.Encode(detail);
            return Task.CompletedTask;
        }

        // Trailers-Only: the status travels in the one HEADERS frame (with END_STREAM) Kestrel sends
        // when the request ends with nothing written. Starting the response here instead would
        // send HEADERS without END_STREAM and then an empty DATA frame, which grpcio reads as
        // UNKNOWN.
        var headers = response.Headers;
        headers.ContentType = GrpcProtocol.ContentTypeValue;
        headers.GrpcStatus = GrpcProtocol.StatusValue(status);
        headers.GrpcMessage = GrpcMessageEncoding.Encode(detail);
        return Task.CompletedTask;
    }
}
