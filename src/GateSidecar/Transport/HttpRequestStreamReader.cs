using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

/// <summary>Reads the messages of a request stream one frame at a time.</summary>
internal sealed class HttpRequestStreamReader<T> : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private readonly HttpContext _http;
    private readonly ServerCallContext _call;
    private readonly MessageParser<T> _parser;
    private readonly string _messageName;
    private readonly int _maxMessageBytes;
    private T? _current;

    public HttpRequestStreamReader(HttpContext http, ServerCallContext call, MessageParser<T> parser, string messageName, int maxMessageBytes)
    {
        _http = http;
        _call = call;
        _parser = parser;
        _messageName = messageName;
        _maxMessageBytes = maxMessageBytes;
    }

    public T Current => _current ?? throw new InvalidOperationException("call MoveNextAsync and check that it returned true before reading Current");

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _call.CancellationToken)
            : null;
        var (hasMessage, message) = await GrpcRequestReader
            .ReadNextAsync(_http, _parser, _messageName, _maxMessageBytes, linked?.Token ?? _call.CancellationToken)
            .ConfigureAwait(false);
        _current = message;
        return hasMessage;
    }
}
