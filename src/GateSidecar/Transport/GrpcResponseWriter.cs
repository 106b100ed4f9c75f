using System.IO.Pipelines;
using Google.Protobuf;

namespace GateSidecar.Transport;

/// <summary>Frames response messages straight into the response <see cref="PipeWriter"/>.</summary>
internal static class GrpcResponseWriter
{
    // Up to this size the frame is serialized into one span; above it protobuf writes segment by segment.
    private const int SingleSpanLimit = 64 * 1024;

    public static void WriteMessage<T>(PipeWriter writer, T message)
        where T : IMessage<T>
    {
        if (message is null)
        {
            throw new InvalidOperationException($"the handler returned no {typeof(T).Name}; return a message or throw RpcException");
        }

        var size = message.CalculateSize();
        if (size <= SingleSpanLimit)
        {
            var span = writer.GetSpan(GrpcProtocol.FrameHeaderSize + size);
            GrpcFrame.WriteHeader(span, size);
            message.WriteTo(span.Slice(GrpcProtocol.FrameHeaderSize, size));
            writer.Advance(GrpcProtocol.FrameHeaderSize + size);
            return;
        }

        GrpcFrame.WriteHeader(writer.GetSpan(GrpcProtocol.FrameHeaderSize), size);
        writer.Advance(GrpcProtocol.FrameHeaderSize);
        message.WriteTo(writer);
    }
}
