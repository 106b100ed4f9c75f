using System.Buffers;
using System.Net;
using System.Net.Http;
using Google.Protobuf;

namespace Gate.Client.Internal;

/// <summary>One framed request message; no Content-Length, as gRPC clients send none.</summary>
internal sealed class UnaryContent : HttpContent
{
    private byte[]? _frame;
    private readonly int _length;

    public UnaryContent(IMessage message)
    {
        _frame = GrpcFraming.Frame(message, out _length);
        Headers.TryAddWithoutValidation("content-type", GrpcHeaders.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var frame = _frame ?? throw new ObjectDisposedException(nameof(UnaryContent));
        return stream.WriteAsync(frame, 0, _length, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        var frame = Interlocked.Exchange(ref _frame, null);
        if (frame is not null)
        {
            ArrayPool<byte>.Shared.Return(frame);
        }

        base.Dispose(disposing);
    }
}
