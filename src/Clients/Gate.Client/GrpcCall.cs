using System.Net.Http;
using System.Runtime.CompilerServices;
using Gate.Client.Internal;
using Google.Protobuf;

namespace Gate.Client;

/// <summary>
/// Low-level calls of any gRPC method by path (e.g. <c>/grpc.health.v1.Health/Check</c>), for load
/// tests and for services without a typed client. Failures throw <see cref="RpcException"/>.
/// </summary>
public static class GrpcCall
{
    /// <summary>Calls a unary method: one request, one response.</summary>
    public static async Task<TResponse> UnaryAsync<TRequest, TResponse>(GateChannel channel, string method, TRequest request, MessageParser<TResponse> responseParser, CallOptions options = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(responseParser);
        GrpcHeaders.EnsureSendable(request, channel.Options.MaxSendMessageBytes);
        using var call = new ClientCall(channel, method, options);
        try
        {
            using var httpRequest = call.CreateRequest(new UnaryContent(request), options.Headers);
            var (response, headerStatus) = await call.SendAsync(httpRequest).ConfigureAwait(false);
            using (response)
            {
                if (headerStatus is { } status)
                {
                    ClientCall.ThrowIfFailed(status);
                    throw new RpcException(StatusCode.Internal, $"{call.Method}: the server reported success without sending the response message");
                }

                var stream = await response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false);
                var max = channel.Options.MaxReceiveMessageBytes;
                var message = await GrpcFraming.ReadMessageAsync(stream, responseParser, max, call.Token).ConfigureAwait(false);
                var extra = message is null ? default : await GrpcFraming.ReadMessageAsync(stream, responseParser, max, call.Token).ConfigureAwait(false);
                ClientCall.ThrowIfFailed(call.ReadTrailerStatus(response));
                if (message is null)
                {
                    throw new RpcException(StatusCode.Internal, $"{call.Method}: the server reported success without sending the response message");
                }

                if (extra is not null)
                {
                    throw new RpcException(StatusCode.Internal, $"{call.Method}: the server sent more than one response message to a unary call");
                }

                return message;
            }
        }
        catch (Exception ex) when (ex is not RpcException && call.TryTranslate(ex, out var rpc))
        {
            throw rpc;
        }
    }

    /// <summary>Calls a server-streaming method: the responses are yielded as they arrive.</summary>
    public static IAsyncEnumerable<TResponse> ServerStreaming<TRequest, TResponse>(GateChannel channel, string method, TRequest request, MessageParser<TResponse> responseParser, CallOptions options = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(responseParser);
        ArgumentNullException.ThrowIfNull(request);
        return StreamAsync(channel, method, () => new UnaryContent(request), request, responseParser, options);
    }

    /// <summary>
    /// Calls a bidirectional-streaming method: <paramref name="requests"/> is sent as it yields,
    /// the responses are yielded as they arrive.
    /// </summary>
    public static IAsyncEnumerable<TResponse> DuplexStreaming<TRequest, TResponse>(GateChannel channel, string method, IAsyncEnumerable<TRequest> requests, MessageParser<TResponse> responseParser, CallOptions options = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responseParser);
        return StreamAsync(channel, method, () => new StreamingContent<TRequest>(requests, channel.Options.MaxSendMessageBytes), null, responseParser, options);
    }

    private static async IAsyncEnumerable<TResponse> StreamAsync<TResponse>(
        GateChannel channel,
        string method,
        Func<HttpContent> content,
        IMessage? singleRequest,
        MessageParser<TResponse> responseParser,
        CallOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        if (singleRequest is not null)
        {
            GrpcHeaders.EnsureSendable(singleRequest, channel.Options.MaxSendMessageBytes);
        }

        using var call = new ClientCall(channel, method, options, cancellationToken);
        HttpRequestMessage httpRequest;
        HttpResponseMessage response;
        Stream stream;
        try
        {
            httpRequest = call.CreateRequest(content(), options.Headers);
            (response, var headerStatus) = await call.SendAsync(httpRequest).ConfigureAwait(false);
            if (headerStatus is { } status)
            {
                response.Dispose();
                httpRequest.Dispose();
                ClientCall.ThrowIfFailed(status);
                yield break;
            }

            stream = await response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException && call.TryTranslate(ex, out var rpc))
        {
            throw rpc;
        }

        using (httpRequest)
        using (response)
        {
            while (true)
            {
                TResponse? message;
                try
                {
                    message = await GrpcFraming.ReadMessageAsync(stream, responseParser, channel.Options.MaxReceiveMessageBytes, call.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not RpcException && call.TryTranslate(ex, out var rpc))
                {
                    throw rpc;
                }

                if (message is null)
                {
                    break;
                }

                yield return message;
            }

            ClientCall.ThrowIfFailed(call.ReadTrailerStatus(response));
        }
    }
}
