using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

/// <summary>Writes each message of a server stream as one frame; <c>WriteAsync</c> flushes it, <c>WriteBuffered</c> leaves the flush to the caller.</summary>
internal sealed class HttpResponseStreamWriter<T> : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly HttpContext _http;
    private readonly ServerCallContext _call;
    private bool _writing;

    public HttpResponseStreamWriter(HttpContext http, ServerCallContext call)
    {
        _http = http;
        _call = call;
    }

    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WriteBuffered(message);
        return FlushAsync(cancellationToken);
    }

    public void WriteBuffered(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _call.CancellationToken.ThrowIfCancellationRequested();
        ThrowIfFlushing();

        GrpcResponseWriter.WriteMessage(_http.Response.BodyWriter, message);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFlushing();

        var flush = _http.Response.BodyWriter.FlushAsync(_call.CancellationToken);
        if (flush.IsCompletedSuccessfully)
        {
            EnsureDelivered(flush.Result);
            return default;
        }

        return AwaitFlushAsync(flush);
    }

    private async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        _writing = true;
        try
        {
            EnsureDelivered(await flush.ConfigureAwait(false));
        }
        finally
        {
            _writing = false;
        }
    }

    private void ThrowIfFlushing()
    {
        if (_writing)
        {
            throw new InvalidOperationException("a previous WriteAsync has not completed: await each write before starting the next");
        }
    }

    private void EnsureDelivered(FlushResult result)
    {
        if (result.IsCanceled || result.IsCompleted)
        {
            // The deadline passed or the client went away while the frame was queued.
            throw new OperationCanceledException("the response stream closed before the message was sent", _call.CancellationToken);
        }
    }
}
