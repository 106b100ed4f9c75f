using System.Net;
using System.Net.Http;
using System.Reflection;

namespace Gate.Client.Internal;

/// <summary>
/// The state of one client call: its deadline and cancellation, the HTTP/2 request, and the
/// translation of transport failures into <see cref="RpcException"/> (done here and nowhere else).
/// </summary>
internal sealed class ClientCall : IDisposable
{
    private static readonly string UserAgent =
        $"gate-client-dotnet/{typeof(ClientCall).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0"}";

    private readonly GateChannel _channel;
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _callerToken;
    private readonly CancellationToken _enumeratorToken;
    private readonly CancellationTokenRegistration _callerRegistration;
    private readonly CancellationTokenRegistration _enumeratorRegistration;
    private readonly TimeSpan? _timeout;

    public ClientCall(GateChannel channel, string method, in CallOptions options, CancellationToken enumeratorToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        _channel = channel;
        Method = method[0] == '/' ? method : "/" + method;

        var clock = channel.Options.TimeProvider;
        _timeout = options.Timeout;
        if (options.Deadline is { } deadline)
        {
            var left = deadline - clock.GetUtcNow();
            _timeout = _timeout is null || left < _timeout ? left : _timeout;
        }

        if (_timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new RpcException(StatusCode.DeadlineExceeded, $"the deadline had passed before {Method} started");
        }

        _source = _timeout is { } limit && limit < TimeSpan.FromMilliseconds(uint.MaxValue - 1)
            ? new CancellationTokenSource(limit, clock)
            : new CancellationTokenSource();
        _callerToken = options.CancellationToken;
        _enumeratorToken = enumeratorToken;
        _callerRegistration = _callerToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
        _enumeratorRegistration = _enumeratorToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
    }

    /// <summary>The method path, e.g. <c>/gate.v1.Gate/Check</c>.</summary>
    public string Method { get; }

    /// <summary>Fires at the deadline and when the caller cancels.</summary>
    public CancellationToken Token => _source.Token;

    public HttpRequestMessage CreateRequest(HttpContent content, IEnumerable<KeyValuePair<string, string>>? headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.MethodUri(Method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var requestHeaders = request.Headers;
        requestHeaders.TryAddWithoutValidation("te", "trailers");
        requestHeaders.TryAddWithoutValidation("user-agent", UserAgent);
        if (_timeout is { } timeout)
        {
            requestHeaders.TryAddWithoutValidation("grpc-timeout", GrpcHeaders.EncodeTimeout(timeout));
        }

        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                if (IsReserved(name))
                {
                    throw new ArgumentException($"metadata '{name}' is set by the client itself; pass only application metadata such as authorization or traceparent", nameof(headers));
                }

                if (!requestHeaders.TryAddWithoutValidation(name, value))
                {
                    throw new ArgumentException($"metadata '{name}' is not a valid header name", nameof(headers));
                }
            }
        }

        return request;
    }

    /// <summary>
    /// Sends the request and checks the envelope of the answer. Returns the status when the answer is
    /// Trailers-Only (status in the headers, no body); null when messages follow.
    /// </summary>
    public async Task<(HttpResponseMessage Response, RpcStatus? HeaderStatus)> SendAsync(HttpRequestMessage request)
    {
        var response = await _channel.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Token).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var status = GrpcHeaders.FromHttpStatus(response.StatusCode);
            var reason = response.ReasonPhrase ?? response.StatusCode.ToString();
            response.Dispose();
            throw new RpcException(status, $"{Method}: the server answered HTTP {(int)response.StatusCode} ({reason}) instead of a gRPC response");
        }

        var headerStatus = GrpcHeaders.ReadStatus(response.Headers);
        if (headerStatus is null)
        {
            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (contentType is null || !contentType.StartsWith(GrpcHeaders.ContentType, StringComparison.OrdinalIgnoreCase))
            {
                response.Dispose();
                throw new RpcException(StatusCode.Internal, $"{Method}: the server answered content-type '{contentType}' instead of application/grpc");
            }
        }

        return (response, headerStatus);
    }

    /// <summary>The status in the trailers, read after the body ended.</summary>
    public RpcStatus ReadTrailerStatus(HttpResponseMessage response) =>
        GrpcHeaders.ReadStatus(response.TrailingHeaders)
        ?? GrpcHeaders.ReadStatus(response.Headers)
        ?? new RpcStatus(StatusCode.Internal, $"{Method}: the response ended without a grpc-status");

    public static void ThrowIfFailed(RpcStatus status)
    {
        if (status.Code != StatusCode.OK)
        {
            throw new RpcException(status.Code, status.Message);
        }
    }

    /// <summary>Turns a transport failure into the status it stands for; false for exceptions that are bugs.</summary>
    public bool TryTranslate(Exception exception, out RpcException translated)
    {
        if (exception is RpcException rpc)
        {
            translated = rpc;
            return true;
        }

        if (_callerToken.IsCancellationRequested || _enumeratorToken.IsCancellationRequested)
        {
            translated = new RpcException(StatusCode.Cancelled, $"{Method} was cancelled by the caller");
            return true;
        }

        if (_source.IsCancellationRequested)
        {
            translated = new RpcException(StatusCode.DeadlineExceeded, $"the deadline ({_timeout?.TotalMilliseconds:0.###} ms) passed before {Method} finished");
            return true;
        }

        var protocol = exception as HttpProtocolException ?? exception.InnerException as HttpProtocolException;
        if (protocol is not null)
        {
            translated = new RpcException(GrpcHeaders.FromHttp2Error(protocol.ErrorCode), $"{Method}: the HTTP/2 stream was reset ({protocol.ErrorCode}): {protocol.Message}");
            return true;
        }

        switch (exception)
        {
            case HttpRequestException request:
                translated = new RpcException(StatusCode.Unavailable, $"cannot reach the Gate sidecar at {_channel.Address.GetLeftPart(UriPartial.Authority)}: {request.Message}");
                return true;
            case IOException io:
                translated = new RpcException(StatusCode.Unavailable, $"{Method}: the connection to {_channel.Address.GetLeftPart(UriPartial.Authority)} failed: {io.Message}");
                return true;
            case OperationCanceledException:
                translated = new RpcException(StatusCode.Cancelled, $"{Method} was cancelled");
                return true;
            default:
                translated = null!;
                return false;
        }
    }

    public void Dispose()
    {
        _callerRegistration.Dispose();
        _enumeratorRegistration.Dispose();
        _source.Dispose();
    }

    private static bool IsReserved(string name) =>
        name.StartsWith(':')
        || name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("te", StringComparison.OrdinalIgnoreCase);
}
