using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Gate.Client.Internal;

/// <summary>The 5-byte gRPC message prefix (flag, big-endian length) on the client side.</summary>
internal static class GrpcFraming
{
    public const int HeaderSize = 5;

    /// <summary>Serializes <paramref name="message"/> with its prefix into a pooled buffer; return it with <see cref="ArrayPool{T}.Return"/>.</summary>
    public static byte[] Frame(IMessage message, out int length)
    {
        var size = message.CalculateSize();
        length = HeaderSize + size;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        buffer[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)size);
        message.WriteTo(buffer.AsSpan(HeaderSize, size));
        return buffer;
    }

    /// <summary>Reads one message; null at the end of the stream.</summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(Stream stream, MessageParser<T> parser, int maxMessageBytes, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        var header = new byte[HeaderSize];
        var read = await ReadFullyAsync(stream, header, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return default;
        }

        if (read < HeaderSize)
        {
            throw new RpcException(StatusCode.Internal, $"the response ended inside a message header ({read} of 5 bytes)");
        }

        if (header[0] != 0)
        {
            throw new RpcException(StatusCode.Internal, header[0] == 1
                ? "the server sent a compressed message although this client only accepts identity encoding"
                : $"malformed response frame: flag byte {header[0]} (expected 0)");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > (uint)maxMessageBytes)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"the response message is {length} bytes, over this client's limit of {maxMessageBytes} (GateChannelOptions.MaxReceiveMessageBytes)");
        }

        var payload = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            read = await ReadFullyAsync(stream, payload.AsMemory(0, (int)length), cancellationToken).ConfigureAwait(false);
            if (read < length)
            {
                throw new RpcException(StatusCode.Internal, $"the response ended inside a message ({read} of {length} bytes)");
            }

            try
            {
                return parser.ParseFrom(payload.AsSpan(0, (int)length));
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new RpcException(StatusCode.Internal, $"the response message could not be decoded: {ex.Message}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    private static async ValueTask<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
