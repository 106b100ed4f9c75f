using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using Gate.Client;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

/// <summary>
/// Reads request messages from <c>Request.BodyReader</c>. Protocol errors are thrown as
/// <see cref="RpcException"/> so that they end the call through the same status mapping as
/// handler errors.
/// </summary>
internal static class GrpcRequestReader
{
    /// <summary>
    /// Takes the one message of a unary or server-streaming request when the whole body has
    /// already arrived; false when more data is needed (nothing is consumed then).
    /// </summary>
    public static bool TryReadSingle<T>(HttpContext http, MessageParser<T> parser, string messageName, int maxMessageBytes, [NotNullWhen(true)] out T? message)
        where T : IMessage<T>
    {
        var reader = http.Request.BodyReader;
        if (!reader.TryRead(out var result))
        {
            message = default;
            return false;
        }

        return TakeSingle(http, reader, result, parser, messageName, maxMessageBytes, out message);
    }

    public static async ValueTask<T> ReadSingleAsync<T>(HttpContext http, MessageParser<T> parser, string messageName, int maxMessageBytes, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        var reader = http.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (TakeSingle(http, reader, result, parser, messageName, maxMessageBytes, out var message))
            {
                return message;
            }
        }
    }

    /// <summary>Reads the next message of a request stream; false at the end of the stream.</summary>
    public static async ValueTask<(bool HasMessage, T? Message)> ReadNextAsync<T>(HttpContext http, MessageParser<T> parser, string messageName, int maxMessageBytes, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        var reader = http.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = GrpcFrame.TryRead(buffer, maxMessageBytes, out var payload, out var length);
            if (status == FrameStatus.Complete)
            {
                var message = Parse(parser, messageName, payload, reader, buffer);
                reader.AdvanceTo(payload.End);
                return (true, message);
            }

            if (status == FrameStatus.Incomplete)
            {
                if (!result.IsCompleted)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                if (buffer.IsEmpty)
                {
                    reader.AdvanceTo(buffer.End);
                    return (false, default);
                }
            }

            reader.AdvanceTo(buffer.Start);
            throw FrameError(http, status, buffer.Length, length, maxMessageBytes);
        }
    }

    private static bool TakeSingle<T>(HttpContext http, PipeReader reader, ReadResult result, MessageParser<T> parser, string messageName, int maxMessageBytes, [NotNullWhen(true)] out T? message)
        where T : IMessage<T>
    {
        var buffer = result.Buffer;
        var status = GrpcFrame.TryRead(buffer, maxMessageBytes, out var payload, out var length);
        if (status == FrameStatus.Complete)
        {
            if (buffer.Length > GrpcProtocol.FrameHeaderSize + length)
            {
                reader.AdvanceTo(buffer.Start);
                throw new RpcException(StatusCode.InvalidArgument, "the request carried more than one message; this method takes exactly one");
            }

            // The body must end after the message; waiting for END_STREAM costs nothing with real
            // clients, which send it with the last DATA frame.
            if (result.IsCompleted)
            {
                message = Parse(parser, messageName, payload, reader, buffer);
                reader.AdvanceTo(buffer.End);
                return true;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            message = default;
            return false;
        }

        if (status == FrameStatus.Incomplete && !result.IsCompleted)
        {
            reader.AdvanceTo(buffer.Start, buffer.End);
            message = default;
            return false;
        }

        reader.AdvanceTo(buffer.Start);
        if (status == FrameStatus.Incomplete && buffer.IsEmpty)
        {
            throw new RpcException(StatusCode.InvalidArgument, "the request body held no message; this method takes exactly one");
        }

        throw FrameError(http, status, buffer.Length, length, maxMessageBytes);
    }

    private static T Parse<T>(MessageParser<T> parser, string messageName, in ReadOnlySequence<byte> payload, PipeReader reader, in ReadOnlySequence<byte> buffer)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            reader.AdvanceTo(buffer.Start);
            throw new RpcException(StatusCode.InvalidArgument, $"the request message is not a valid {messageName}: {ex.Message}");
        }
    }

    private static RpcException FrameError(HttpContext http, FrameStatus status, long available, uint declaredLength, int maxMessageBytes)
    {
        switch (status)
        {
            case FrameStatus.TooLarge:
                return new RpcException(StatusCode.ResourceExhausted, $"the request message is {declaredLength} bytes, over the limit of {maxMessageBytes} bytes (--max-message-bytes)");
            case FrameStatus.Compressed:
                http.Response.Headers.GrpcAcceptEncoding = GrpcProtocol.IdentityEncoding;
                return new RpcException(StatusCode.Unimplemented, "compressed messages are not supported: send them uncompressed (grpc-encoding: identity)");
            case FrameStatus.InvalidFlag:
                return new RpcException(StatusCode.InvalidArgument, "malformed gRPC frame: the first byte of a message must be 0 (uncompressed) or 1 (compressed)");
            default:
                return available < GrpcProtocol.FrameHeaderSize
                    ? new RpcException(StatusCode.InvalidArgument, $"malformed gRPC frame: the request body ended after {available} bytes, inside the 5-byte message header")
                    : new RpcException(StatusCode.InvalidArgument, $"malformed gRPC frame: the header announced a {declaredLength}-byte message but the request body ended after {available - GrpcProtocol.FrameHeaderSize} of them");
        }
    }
}
