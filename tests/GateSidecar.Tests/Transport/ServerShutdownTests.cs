using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using Xunit;

namespace GateSidecar.Tests.Transport;

public sealed class ServerShutdownTests
{
    [Fact]
    public async Task ServerStopping_StreamThatHonoursIt_EndsWithUnavailable_AndShutdownDoesNotWait()
    {
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await GateTestServer.StartAsync(o => o.ConfigureApp.Add((_, registry) =>
            registry.AddServerStreaming<EchoRequest, EchoResponse>(EchoService.Descriptor.Methods[1], async (request, responses, context) =>
            {
                await responses.WriteAsync(new EchoResponse { Text = "attached" });
                streaming.TrySetResult();
                using var either = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, context.ServerStopping);
                await Task.Delay(Timeout.Infinite, either.Token);
            })));
        await using var _ = server;
        var stream = GrpcCall.ServerStreaming(server.Channel, "/gate.testing.v1.Echo/ServerStream", new EchoRequest(), EchoResponse.Parser)
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await stream.MoveNextAsync().WithTimeout());
        await streaming.Task.WithTimeout();

        // The host's own shutdown timeout is 30 s; the stream must end well before that.
        var stopping = server.App.StopAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<RpcException>(() => stream.MoveNextAsync().WithTimeout());
        Assert.Equal(StatusCode.Unavailable, error.Status);
        Assert.Contains("shutting down", error.Detail, StringComparison.Ordinal);
        await stopping.WithTimeout();
        await stream.DisposeAsync();
        Assert.Empty(server.Logs.Errors);
    }
}
