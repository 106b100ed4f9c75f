using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using GateSidecar.Transport;
using Google.Protobuf;
using Xunit;

namespace GateSidecar.Tests.Transport;

public sealed class UnaryCallTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    private const string Unary = "/gate.testing.v1.Echo/Unary";

    private GateTestServer Server => fixture.Server;

    [Fact]
    public async Task Unary_Request_IsAnsweredWithTheEchoedMessage()
    {
        var request = new EchoRequest { Text = "refund 900", Payload = ByteString.CopyFrom(1, 2, 3) };

        var response = await GrpcCall.UnaryAsync(Server.Channel, Unary, request, EchoResponse.Parser).WithTimeout();

        Assert.Equal("refund 900", response.Text);
        Assert.Equal(request.Payload, response.Payload);
        Assert.Equal(-1, response.DeadlineRemainingMs);
    }

    [Fact]
    public async Task Unary_SlowHandler_AnswersThroughTheAsyncPath()
    {
        var response = await GrpcCall.UnaryAsync(Server.Channel, Unary, new EchoRequest { Text = "slow", DelayMs = 20 }, EchoResponse.Parser).WithTimeout();

        Assert.Equal("slow", response.Text);
    }

    [Fact]
    public async Task Unary_Metadata_ReachesTheHandler()
    {
        var options = new CallOptions { Headers = [new("authorization", "Bearer s3cr3t"), new("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")] };

        var auth = await GrpcCall.UnaryAsync(Server.Channel, Unary, new EchoRequest { EchoHeader = "authorization" }, EchoResponse.Parser, options).WithTimeout();
        var trace = await GrpcCall.UnaryAsync(Server.Channel, Unary, new EchoRequest { EchoHeader = "traceparent" }, EchoResponse.Parser, options).WithTimeout();

        Assert.Equal("Bearer s3cr3t", auth.HeaderValue);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", trace.HeaderValue);
    }

    [Fact]
    public async Task Unary_Timeout_BecomesTheHandlersDeadline()
    {
        var response = await GrpcCall.UnaryAsync(Server.Channel, Unary, new EchoRequest(), EchoResponse.Parser, CallOptions.WithTimeout(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).WithTimeout();

        Assert.InRange(response.DeadlineRemainingMs, 1, 5000);
    }

    [Fact]
    public async Task Unary_HandlerThrowsRpcException_ClientGetsThatStatusAndMessage()
    {
        var request = new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = "approval apr_1 is already APPROVED" };

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcCall.UnaryAsync(Server.Channel, Unary, request, EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.FailedPrecondition, error.Status);
        Assert.Equal("approval apr_1 is already APPROVED", error.Detail);
    }

    [Fact]
    public async Task Unary_NonAsciiStatusMessage_RoundTripsThroughPercentEncoding()
    {
        const string message = "Rückerstattung über 500 € abgelehnt: 100% ≠ 日本語 ✓ \"quoted\"\ttab";
        var request = new EchoRequest { FailCode = (int)StatusCode.PermissionDenied, FailMessage = message };

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcCall.UnaryAsync(Server.Channel, Unary, request, EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.PermissionDenied, error.Status);
        Assert.Equal(message, error.Detail);
    }

    [Fact]
    public async Task Unary_HandlerThrowsUnexpectedException_InternalWithoutItsDetail_AndLogged()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.UnaryAsync(Server.Channel, Unary, new EchoRequest { ThrowUnexpected = true, DelayMs = 1 }, EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.Internal, error.Status);
        Assert.DoesNotContain("hunter2", error.Detail, StringComparison.Ordinal);
        Assert.Contains("trace id", error.Detail, StringComparison.Ordinal);
        Assert.Contains(Server.Logs.Errors, e => e.EventId.Name == "HandlerFailed" && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Unary_HandlerThrowsSynchronously_MappedLikeAnAsyncFailure()
    {
        await using var server = await GateTestServer.StartAsync(o => o.ConfigureApp.Add((_, registry) =>
            registry.AddUnary<EchoRequest, EchoResponse>(EchoService.Descriptor.Methods[0], (_, _) => throw new RpcException(StatusCode.NotFound, "no approval apr_x"))));

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcCall.UnaryAsync(server.Channel, Unary, new EchoRequest(), EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.NotFound, error.Status);
        Assert.Equal("no approval apr_x", error.Detail);
    }

    [Fact]
    public async Task Unary_ManyConcurrentCalls_OnOneChannel_AllSucceed()
    {
        var calls = Enumerable.Range(0, 300).Select(i =>
            GrpcCall.UnaryAsync(Server.Channel, Unary, new EchoRequest { Text = $"call {i}" }, EchoResponse.Parser));

        var responses = await Task.WhenAll(calls).WithTimeout();

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"call {i}"), responses.Select(r => r.Text));
    }

    [Fact]
    public async Task Unary_MessageJustUnderTheLimit_RoundTrips()
    {
        var payload = new byte[GrpcProtocol.DefaultMaxMessageBytes - 64];
        Random.Shared.NextBytes(payload);
        var request = new EchoRequest { Payload = ByteString.CopyFrom(payload) };

        var response = await GrpcCall.UnaryAsync(Server.Channel, Unary, request, EchoResponse.Parser).WithTimeout();

        Assert.Equal(request.Payload, response.Payload);
    }

    [Fact]
    public async Task Unary_PlaceholderContractMethod_AnswersUnimplementedNamingTheCapability()
    {
        var client = new GateClient(Server.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.CheckAsync(new Gate.V1.CheckRequest { CallId = "c1", Tool = "payments.refund" }).WithTimeout());

        Assert.Equal(StatusCode.Unimplemented, error.Status);
        Assert.StartsWith("/gate.v1.Gate/Check is not available yet: ", error.Detail, StringComparison.Ordinal);
    }
}
