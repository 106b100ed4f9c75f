using System.Threading.Channels;
using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Transport;
using Google.Protobuf.Reflection;

namespace GateSidecar.Tests.Infrastructure;

/// <summary>What the echo handler saw when its call's token fired.</summary>
internal sealed record EchoCancellation(string Text, bool DeadlineExpired, bool ClientAborted);

/// <summary>
/// The test-only <c>gate.testing.v1.Echo</c> service, registered through <see cref="GrpcServiceRegistry"/>
/// like any real service. Each request field asks for one behaviour (see echo.proto).
/// </summary>
internal sealed class EchoService
{
    private readonly Channel<EchoCancellation> _cancellations = Channel.CreateUnbounded<EchoCancellation>();

    public static ServiceDescriptor Descriptor => EchoReflection.Descriptor.Services[0];

    /// <summary>One entry per handler whose token fired while it waited.</summary>
    public ChannelReader<EchoCancellation> Cancellations => _cancellations.Reader;

    public void Map(GrpcServiceRegistry registry)
    {
        var methods = Descriptor.Methods;
        registry.AddUnary<EchoRequest, EchoResponse>(methods[0], UnaryAsync);
        registry.AddServerStreaming<EchoRequest, EchoResponse>(methods[1], ServerStreamAsync);
        registry.AddDuplex<EchoRequest, EchoResponse>(methods[2], DuplexAsync);
    }

    public ValueTask<EchoResponse> UnaryAsync(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs == 0 && request.FailCode == 0 && !request.ThrowUnexpected)
        {
            // Completes synchronously: the transport's fast path.
            return ValueTask.FromResult(Respond(request, context, 0));
        }

        return Slow();

        async ValueTask<EchoResponse> Slow()
        {
            await DelayAsync(request, context);
            FailIfAsked(request);
            return Respond(request, context, 0);
        }
    }

    public async Task ServerStreamAsync(EchoRequest request, IServerStreamWriter<EchoResponse> responses, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await DelayAsync(request, context);
            await responses.WriteAsync(Respond(request, context, i));
        }

        FailIfAsked(request);
    }

    public async Task DuplexAsync(IAsyncStreamReader<EchoRequest> requests, IServerStreamWriter<EchoResponse> responses, ServerCallContext context)
    {
        var index = 0;
        while (await requests.MoveNextAsync(context.CancellationToken))
        {
            var request = requests.Current;
            await DelayAsync(request, context);
            FailIfAsked(request);
            await responses.WriteAsync(Respond(request, context, index++));
        }
    }

    private async Task DelayAsync(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs <= 0)
        {
            return;
        }

        try
        {
            await Task.Delay(request.DelayMs, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancellations.Writer.TryWrite(new EchoCancellation(
                request.Text,
                context.DeadlineExpired,
                context.HttpContext.RequestAborted.IsCancellationRequested));
            throw;
        }
    }

    private static void FailIfAsked(EchoRequest request)
    {
        if (request.ThrowUnexpected)
        {
            throw new InvalidOperationException("secret internal detail: connection string Password=hunter2");
        }

        if (request.FailCode != 0)
        {
            throw new RpcException((StatusCode)request.FailCode, request.FailMessage);
        }
    }

    private static EchoResponse Respond(EchoRequest request, ServerCallContext context, int index) => new()
    {
        Text = request.Text,
        Payload = request.Payload,
        Index = index,
        ConnectionId = context.HttpContext.Connection.Id,
        HeaderValue = request.EchoHeader.Length == 0 ? string.Empty : context.GetHeader(request.EchoHeader) ?? string.Empty,
        DeadlineRemainingMs = context.Deadline is { } deadline ? (long)(deadline - DateTimeOffset.UtcNow).TotalMilliseconds : -1,
    };
}
