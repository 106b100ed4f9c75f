using Microsoft.Extensions.Logging;

namespace GateSidecar.Transport;

internal static partial class GrpcServerLog
{
    [LoggerMessage(EventId = 1, EventName = "HandlerFailed", Level = LogLevel.Error,
        Message = "{Method} failed with an unexpected exception; the caller got INTERNAL (trace id {TraceId})")]
    public static partial void HandlerFailed(ILogger logger, string method, string traceId, Exception exception);

    [LoggerMessage(EventId = 2, EventName = "CallEndedWithStatus", Level = LogLevel.Debug,
        Message = "{Method} ended with {Status}: {Detail}")]
    public static partial void CallEndedWithStatus(ILogger logger, string method, Gate.Client.StatusCode status, string detail);

    [LoggerMessage(EventId = 3, EventName = "ClientCancelled", Level = LogLevel.Debug,
        Message = "{Method}: the client went away before the call ended")]
    public static partial void ClientCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 4, EventName = "UnsupportedContentType", Level = LogLevel.Debug,
        Message = "Refused a request to {Path} with content-type '{ContentType}': the gRPC port takes application/grpc only")]
    public static partial void UnsupportedContentType(ILogger logger, string path, string? contentType);

    [LoggerMessage(EventId = 5, EventName = "UnknownMethod", Level = LogLevel.Debug,
        Message = "Unknown gRPC method {Path}")]
    public static partial void UnknownMethod(ILogger logger, string path);
}
