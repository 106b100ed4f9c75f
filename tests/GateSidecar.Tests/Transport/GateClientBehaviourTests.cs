using System.Net;
using System.Net.Sockets;
using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using Grpc.Health.V1;
using Xunit;

namespace GateSidecar.Tests.Transport;

public sealed class GateClientBehaviourTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    [Fact]
    public async Task DeadlineAlreadyPassed_DeadlineExceededWithoutCalling()
    {
        var options = new CallOptions { Deadline = DateTimeOffset.UtcNow.AddSeconds(-1) };

        var error = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(fixture.Server.Channel).CheckAsync(new HealthCheckRequest(), options).WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
    }

    [Fact]
    public async Task DeadlineAndTimeout_TheEarlierWins()
    {
        var options = new CallOptions { Deadline = DateTimeOffset.UtcNow.AddSeconds(3), Timeout = TimeSpan.FromMinutes(5) };

        var response = await GrpcCall.UnaryAsync(fixture.Server.Channel, "/gate.testing.v1.Echo/Unary", new EchoRequest(), EchoResponse.Parser, options).WithTimeout();

        Assert.InRange(response.DeadlineRemainingMs, 1, 3000);
    }

    [Fact]
    public async Task ReservedMetadata_IsRefusedWithAClearMessage()
    {
        var options = new CallOptions { Headers = [new("grpc-timeout", "1S")] };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => new HealthClient(fixture.Server.Channel).CheckAsync(new HealthCheckRequest(), options).WithTimeout());

        Assert.Contains("set by the client itself", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovalsClient_SendsTheBearerToken()
    {
        // The Approvals placeholder answers UNIMPLEMENTED; the echo proves the header shape.
        var channel = fixture.Server.Channel;
        var options = new CallOptions { Headers = [new("authorization", "Bearer tok_alice")] };

        var echoed = await GrpcCall.UnaryAsync(channel, "/gate.testing.v1.Echo/Unary", new EchoRequest { EchoHeader = "authorization" }, EchoResponse.Parser, options).WithTimeout();
        var error = await Assert.ThrowsAsync<RpcException>(() => new ApprovalsClient(channel, "tok_alice").ListPendingAsync(new Gate.V1.ListPendingRequest()).WithTimeout());

        Assert.Equal("Bearer tok_alice", echoed.HeaderValue);
        Assert.Equal(StatusCode.Unimplemented, error.Status);
    }

    [Fact]
    public async Task NothingListening_Unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = GateChannel.ForAddress($"http://127.0.0.1:{port}");

        var error = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(channel).CheckAsync(new HealthCheckRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, error.Status);
        Assert.Contains($"127.0.0.1:{port}", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpPortInsteadOfGrpcPort_FailsWithAStatus()
    {
        using var channel = GateChannel.ForAddress(fixture.Server.HttpAddress);

        var error = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(channel).CheckAsync(new HealthCheckRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, error.Status);
    }

    [Theory]
    [InlineData("127.0.0.1:7070")]
    [InlineData("ftp://127.0.0.1:7070")]
    [InlineData("http://127.0.0.1:7070/some/path")]
    public void ForAddress_NotAGrpcAddress_IsRefused(string address)
    {
        var error = Assert.Throws<ArgumentException>(() => GateChannel.ForAddress(address));

        Assert.Contains("http://", error.Message, StringComparison.Ordinal);
    }
}
