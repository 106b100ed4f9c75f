using System.Buffers;
using System.Net;
using System.Net.Http;
using Google.Protobuf;

namespace Gate.Client.Internal;

/// <summary>A request stream: each message is framed and flushed as the sequence yields it.</summary>
internal sealed class StreamingContent<T> : HttpContent
    where T : IMessage<T>
{
    private readonly IAsyncEnumerable<T> _messages;
    private readonly int? _maxMessageBytes;

    public StreamingContent(IAsyncEnumerable<T> messages, int? maxMessageBytes)
    {
        _messages = messages;
        _maxMessageBytes = maxMessageBytes;
        Headers.TryAddWithoutValidation("content-type", GrpcHeaders.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await foreach (var message in _messages.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            GrpcHeaders.EnsureSendable(message, _maxMessageBytes);
            var frame = GrpcFraming.Frame(message, out var length);
            try
            {
                await stream.WriteAsync(frame.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
