using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

/// <summary>What a gRPC handler may know about the call it serves.</summary>
internal sealed class ServerCallContext
{
    private CancellationTokenSource? _deadlineSource;
    private CancellationTokenRegistration _abortRegistration;
    private CancellationToken? _cancellationToken;

    public ServerCallContext(HttpContext httpContext, string method, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        _cancellationToken = cancellationToken;
    }

    /// <summary>A call without deadline: its token is the request's abort token, fetched on first use.</summary>
    internal ServerCallContext(HttpContext httpContext, string method)
    {
        HttpContext = httpContext;
        Method = method;
    }

    /// <summary>The full method name, e.g. <c>/gate.v1.Gate/Check</c>.</summary>
    public string Method { get; }

    /// <summary>From <c>grpc-timeout</c>; null when the caller set none.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Cancelled when the deadline passes or the client goes away.</summary>
    /// <remarks>
    /// Without a deadline this is <c>HttpContext.RequestAborted</c>, fetched lazily: arming it costs
    /// Kestrel a lock and a token source, which a handler that completes at once never needs.
    /// </remarks>
    public CancellationToken CancellationToken => _cancellationToken ??= HttpContext.RequestAborted;

    public HttpContext HttpContext { get; }

    /// <summary>
    /// Fires when the sidecar starts shutting down. Long-lived streams should end when it does
    /// (link it with <see cref="CancellationToken"/>); a handler cancelled by it ends with
    /// UNAVAILABLE, telling the client to retry or re-attach.
    /// </summary>
    public CancellationToken ServerStopping { get; init; }

    /// <summary>The caller's address, e.g. <c>127.0.0.1:50412</c> (empty when unknown).</summary>
    public string Peer
    {
        get
        {
            var connection = HttpContext.Connection;
            return connection.RemoteIpAddress is null ? string.Empty : $"{connection.RemoteIpAddress}:{connection.RemotePort}";
        }
    }

    /// <summary>True when the deadline passed (rather than the client going away).</summary>
    internal bool DeadlineExpired =>
        _deadlineSource is { IsCancellationRequested: true } && !HttpContext.RequestAborted.IsCancellationRequested;

    /// <summary>A request metadata value (e.g. <c>authorization</c>, <c>traceparent</c>), or null.</summary>
    public string? GetHeader(string name)
    {
        var values = HttpContext.Request.Headers[name];
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>A call whose token fires at <paramref name="timeout"/> from now or when the client goes away.</summary>
    internal static ServerCallContext WithDeadline(HttpContext httpContext, string method, TimeSpan timeout, TimeProvider timeProvider, CancellationToken serverStopping)
    {
        var source = new CancellationTokenSource(timeout, timeProvider);
        var context = new ServerCallContext(httpContext, method, timeProvider.GetUtcNow() + timeout, source.Token)
        {
            _deadlineSource = source,
            ServerStopping = serverStopping,
        };
        context._abortRegistration = httpContext.RequestAborted.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), source);
        return context;
    }

    /// <summary>Stops the deadline timer; called once when the call ends.</summary>
    internal void Release()
    {
        if (_deadlineSource is not null)
        {
            _abortRegistration.Dispose();
            _deadlineSource.Dispose();
        }
    }
}
