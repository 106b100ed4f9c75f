using System.Buffers;
using System.Buffers.Binary;

namespace GateSidecar.Transport;

/// <summary>What the start of a buffer holds, read as a gRPC length-prefixed message.</summary>
internal enum FrameStatus
{
    Complete,
    /// <summary>More bytes are needed (the header or the payload is not all there yet).</summary>
    Incomplete,
    /// <summary>The declared length is over the configured limit.</summary>
    TooLarge,
    /// <summary>The compressed flag is set; this server only speaks identity.</summary>
    Compressed,
    /// <summary>The flag byte is neither 0 nor 1.</summary>
    InvalidFlag,
}

/// <summary>The 5-byte gRPC message prefix: 1 byte compressed flag, 4 bytes big-endian length.</summary>
internal static class GrpcFrame
{
    /// <summary>
    /// Reads the frame at the start of <paramref name="buffer"/> without consuming it. On
    /// <see cref="FrameStatus.Complete"/>, <paramref name="payload"/> is the message's bytes.
    /// </summary>
    public static FrameStatus TryRead(in ReadOnlySequence<byte> buffer, int maxMessageBytes, out ReadOnlySequence<byte> payload, out uint declaredLength)
    {
        payload = default;
        declaredLength = 0;
        if (buffer.Length < GrpcProtocol.FrameHeaderSize)
        {
            return FrameStatus.Incomplete;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        var first = buffer.FirstSpan;
        if (first.Length >= GrpcProtocol.FrameHeaderSize)
        {
            first[..GrpcProtocol.FrameHeaderSize].CopyTo(header);
        }
        else
        {
            buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(header);
        }

        declaredLength = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        switch (header[0])
        {
            case 0:
                break;
            case 1:
                return FrameStatus.Compressed;
            default:
                return FrameStatus.InvalidFlag;
        }

        if (declaredLength > (uint)maxMessageBytes)
        {
            return FrameStatus.TooLarge;
        }

        if (buffer.Length - GrpcProtocol.FrameHeaderSize < declaredLength)
        {
            return FrameStatus.Incomplete;
        }

        payload = buffer.Slice(GrpcProtocol.FrameHeaderSize, declaredLength);
        return FrameStatus.Complete;
    }

    public static void WriteHeader(Span<byte> destination, int length)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }
}
