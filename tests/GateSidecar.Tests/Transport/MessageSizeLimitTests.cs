using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using Google.Protobuf;
using Xunit;

namespace GateSidecar.Tests.Transport;

public sealed class MessageSizeLimitTests
{
    private const string Unary = "/gate.testing.v1.Echo/Unary";

    [Fact]
    public async Task ConfiguredLimit_MessageOverIt_ResourceExhausted_MessageUnderIt_Served()
    {
        await using var server = await GateTestServer.StartAsync(o =>
        {
            o.Options = o.Options with { MaxMessageBytes = 1024 };
            o.AddEcho();
        });

        var small = await GrpcCall.UnaryAsync(server.Channel, Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[1000]) }, EchoResponse.Parser).WithTimeout();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.UnaryAsync(server.Channel, Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[1030]) }, EchoResponse.Parser).WithTimeout());

        Assert.Equal(1000, small.Payload.Length);
        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
        Assert.Contains("over the limit of 1024 bytes", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfiguredLimit_AppliesToEachMessageOfARequestStream()
    {
        await using var server = await GateTestServer.StartAsync(o =>
        {
            o.Options = o.Options with { MaxMessageBytes = 1024 };
            o.AddEcho();
        });
        var received = new List<EchoResponse>();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var response in GrpcCall.DuplexStreaming(server.Channel, "/gate.testing.v1.Echo/Duplex", Requests(), EchoResponse.Parser).WithTimeout(TestTimeouts.Default))
            {
                received.Add(response);
            }
        });

        Assert.Single(received);
        Assert.Equal(StatusCode.ResourceExhausted, error.Status);

        static async IAsyncEnumerable<EchoRequest> Requests()
        {
            yield return new EchoRequest { Text = "small" };
            await Task.Delay(50);
            yield return new EchoRequest { Payload = ByteString.CopyFrom(new byte[4096]) };
        }
    }

    [Fact]
    public async Task ClientReceiveLimit_LargerResponse_ResourceExhaustedOnTheClient()
    {
        await using var server = await GateTestServer.StartAsync(o => o.AddEcho());
        var channel = server.CreateChannel(new GateChannelOptions { MaxReceiveMessageBytes = 512 });

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.UnaryAsync(channel, Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[2048]) }, EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
        Assert.Contains("MaxReceiveMessageBytes", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientSendLimit_LargerRequest_ResourceExhaustedBeforeSending()
    {
        await using var server = await GateTestServer.StartAsync(o => o.AddEcho());
        var channel = server.CreateChannel(new GateChannelOptions { MaxSendMessageBytes = 100 });

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.UnaryAsync(channel, Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[200]) }, EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
        Assert.Contains("MaxSendMessageBytes", error.Detail, StringComparison.Ordinal);
    }
}
