using Gate.Client;
using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

/// <summary>Serves one gRPC method; built once at registration, shared by every call.</summary>
internal abstract class GrpcMethodHandler
{
    protected GrpcMethodHandler(string path, GrpcServerRuntime runtime)
    {
        Path = path;
        Runtime = runtime;
    }

    /// <summary>The HTTP/2 path, e.g. <c>/gate.v1.Gate/Check</c>.</summary>
    public string Path { get; }

    /// <summary>True when the request is a stream of messages (the body may be long-lived and large).</summary>
    public virtual bool ReadsRequestStream => false;

    protected GrpcServerRuntime Runtime { get; }

    /// <summary>Runs the call. Never throws: every outcome ends as a gRPC status.</summary>
    public abstract Task HandleAsync(HttpContext http);

    /// <summary>
    /// Creates the call context, with a deadline when the caller sent <c>grpc-timeout</c>; null
    /// (and <paramref name="rejected"/> set) when the header is invalid or already expired.
    /// </summary>
    protected ServerCallContext? StartCall(HttpContext http, out Task rejected)
    {
        rejected = Task.CompletedTask;
        var header = http.Request.Headers.GrpcTimeout;
        if (header.Count == 0)
        {
            return new ServerCallContext(http, Path) { ServerStopping = Runtime.Stopping };
        }

        var value = header.ToString();
        if (!GrpcTimeout.TryParse(value, out var timeout))
        {
            rejected = GrpcCallCompletion.CompleteAsync(http, StatusCode.InvalidArgument,
                $"grpc-timeout '{value}' is not valid: use 1 to 8 digits and a unit H, M, S, m, u or n (e.g. 500m)");
            return null;
        }

        if (timeout <= TimeSpan.Zero)
        {
            rejected = GrpcCallCompletion.CompleteAsync(http, StatusCode.DeadlineExceeded,
                $"the deadline (grpc-timeout {value}) had passed before {Path} started");
            return null;
        }

        return timeout > GrpcTimeout.Longest
            ? new ServerCallContext(http, Path) { ServerStopping = Runtime.Stopping }
            : ServerCallContext.WithDeadline(http, Path, timeout, Runtime.TimeProvider, Runtime.Stopping);
    }

    protected Task FailAsync(HttpContext http, ServerCallContext call, Exception exception)
    {
        var completion = GrpcCallCompletion.FailAsync(http, call, exception, Runtime.Logger);
        call.Release();
        return completion;
    }
}
