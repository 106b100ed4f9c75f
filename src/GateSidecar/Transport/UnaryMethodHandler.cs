using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

internal sealed class UnaryMethodHandler<TRequest, TResponse> : GrpcMethodHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TRequest, ServerCallContext, ValueTask<TResponse>> _handler;
    private readonly MessageParser<TRequest> _parser;
    private readonly string _requestName;

    public UnaryMethodHandler(string path, string requestName, Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler, GrpcServerRuntime runtime)
        : base(path, runtime)
    {
        _handler = handler;
        _parser = new MessageParser<TRequest>(static () => new TRequest());
        _requestName = requestName;
    }

    public override Task HandleAsync(HttpContext http)
    {
        // 1. The call context, with the deadline from grpc-timeout.
        var call = StartCall(http, out var rejected);
        if (call is null)
        {
            return rejected;
        }

        // 2. Fast path: the whole request is already buffered and the handler answers synchronously,
        //    so the call completes without a state machine.
        ValueTask<TResponse> pending;
        try
        {
            if (!GrpcRequestReader.TryReadSingle(http, _parser, _requestName, Runtime.MaxMessageBytes, out var request))
            {
                return ReadThenRespondAsync(http, call);
            }

            pending = _handler(request, call);
            if (pending.IsCompletedSuccessfully)
            {
                Respond(http, call, pending.Result);
                return Task.CompletedTask;
            }
        }
        catch (Exception ex)
        {
            return FailAsync(http, call, ex);
        }

        return AwaitThenRespondAsync(http, call, pending);
    }

    private async Task ReadThenRespondAsync(HttpContext http, ServerCallContext call)
    {
        try
        {
            var request = await GrpcRequestReader.ReadSingleAsync(http, _parser, _requestName, Runtime.MaxMessageBytes, call.CancellationToken).ConfigureAwait(false);
            var response = await _handler(request, call).ConfigureAwait(false);
            Respond(http, call, response);
        }
        catch (Exception ex)
        {
            await FailAsync(http, call, ex).ConfigureAwait(false);
        }
    }

    private async Task AwaitThenRespondAsync(HttpContext http, ServerCallContext call, ValueTask<TResponse> pending)
    {
        try
        {
            Respond(http, call, await pending.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            await FailAsync(http, call, ex).ConfigureAwait(false);
        }
    }

    private static void Respond(HttpContext http, ServerCallContext call, TResponse response)
    {
        // 3. One frame, then grpc-status 0 in the trailers; Kestrel flushes both when the request ends.
        GrpcResponseWriter.WriteMessage(http.Response.BodyWriter, response);
        GrpcCallCompletion.CompleteOk(http);
        call.Release();
    }
}
