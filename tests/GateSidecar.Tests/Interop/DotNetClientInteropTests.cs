using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using Grpc.Health.V1;
using Google.Protobuf;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace GateSidecar.Tests.Interop;

/// <summary>The .NET client (Gate.Client) calling a Python grpcio server.</summary>
public sealed class DotNetClientInteropTests(PythonServerFixture python) : IClassFixture<PythonServerFixture>, IDisposable
{
    private readonly GateChannel _channel = GateChannel.ForAddress(python.Address);

    [Fact]
    public async Task DotNetClient_PythonHealthCheck_Serving()
    {
        var response = await new HealthClient(_channel).CheckAsync(new HealthCheckRequest()).WithTimeout();

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task DotNetClient_PythonUnary_RoundTripsMessageMetadataAndDeadline()
    {
        var options = new CallOptions { Timeout = TimeSpan.FromSeconds(5), Headers = [new("x-agent", "dotnet-agent")] };
        var request = new EchoRequest { Text = "hello from .NET", Payload = ByteString.CopyFromUtf8("bytes"), EchoHeader = "x-agent" };

        var response = await GrpcCall.UnaryAsync(_channel, "/gate.testing.v1.Echo/Unary", request, EchoResponse.Parser, options).WithTimeout();

        Assert.Equal("hello from .NET", response.Text);
        Assert.Equal("bytes", response.Payload.ToStringUtf8());
        Assert.Equal("dotnet-agent", response.HeaderValue);
        Assert.InRange(response.DeadlineRemainingMs, 1, 5000);
    }

    [Fact]
    public async Task DotNetClient_PythonServerStream_ReceivesEveryMessage()
    {
        var responses = await GrpcCall.ServerStreaming(_channel, "/gate.testing.v1.Echo/ServerStream", new EchoRequest { Text = "s", Count = 7 }, EchoResponse.Parser).ReadAllAsync();

        Assert.Equal(Enumerable.Range(0, 7), responses.Select(r => r.Index));
    }

    [Fact]
    public async Task DotNetClient_PythonErrorWithNonAsciiMessage_DecodedExactly()
    {
        const string message = "Rückerstattung über 500 € abgelehnt: 100% ≠ 日本語";
        var request = new EchoRequest { FailCode = (int)StatusCode.PermissionDenied, FailMessage = message };

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcCall.UnaryAsync(_channel, "/gate.testing.v1.Echo/Unary", request, EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.PermissionDenied, error.Status);
        Assert.Equal(message, error.Detail);
    }

    [Fact]
    public async Task DotNetClient_PythonErrorAfterMessages_ReadFromTrailers()
    {
        var request = new EchoRequest { Count = 2, FailCode = (int)StatusCode.Aborted, FailMessage = "changed" };
        var received = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in GrpcCall.ServerStreaming(_channel, "/gate.testing.v1.Echo/ServerStream", request, EchoResponse.Parser).WithTimeout(TestTimeouts.Default))
            {
                received++;
            }
        });

        Assert.Equal(2, received);
        Assert.Equal(StatusCode.Aborted, error.Status);
        Assert.Equal("changed", error.Detail);
    }

    [Fact]
    public async Task DotNetClient_PythonStreamSlowerThanTheDeadline_DeadlineExceeded()
    {
        var request = new EchoRequest { Count = 10, DelayMs = 200 };
        var options = CallOptions.WithTimeout(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.ServerStreaming(_channel, "/gate.testing.v1.Echo/ServerStream", request, EchoResponse.Parser, options).ReadAllAsync());

        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
    }

    [Fact]
    public async Task DotNetClient_PythonUnknownMethod_Unimplemented()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.UnaryAsync(_channel, "/gate.testing.v1.Echo/Nope", new EchoRequest(), EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.Unimplemented, error.Status);
    }

    public void Dispose() => _channel.Dispose();
}
