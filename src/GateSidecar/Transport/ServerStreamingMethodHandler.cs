using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

internal sealed class ServerStreamingMethodHandler<TRequest, TResponse> : GrpcMethodHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> _handler;
    private readonly MessageParser<TRequest> _parser;
    private readonly string _requestName;

    public ServerStreamingMethodHandler(string path, string requestName, Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler, GrpcServerRuntime runtime)
        : base(path, runtime)
    {
        _handler = handler;
        _parser = new MessageParser<TRequest>(static () => new TRequest());
        _requestName = requestName;
    }

    public override Task HandleAsync(HttpContext http)
    {
        var call = StartCall(http, out var rejected);
        return call is null ? rejected : RunAsync(http, call);
    }

    private async Task RunAsync(HttpContext http, ServerCallContext call)
    {
        try
        {
            if (!GrpcRequestReader.TryReadSingle(http, _parser, _requestName, Runtime.MaxMessageBytes, out var request))
            {
                request = await GrpcRequestReader.ReadSingleAsync(http, _parser, _requestName, Runtime.MaxMessageBytes, call.CancellationToken).ConfigureAwait(false);
            }

            await _handler(request, new HttpResponseStreamWriter<TResponse>(http, call), call).ConfigureAwait(false);
            GrpcCallCompletion.CompleteOk(http);
            call.Release();
        }
        catch (Exception ex)
        {
            await FailAsync(http, call, ex).ConfigureAwait(false);
        }
    }
}
