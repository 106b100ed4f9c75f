using System.Net;
using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using GateSidecar.Transport;
using Google.Protobuf;
using Xunit;

namespace GateSidecar.Tests.Transport;

public sealed class ProtocolErrorTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    private const string Unary = "/gate.testing.v1.Echo/Unary";

    private GateTestServer Server => fixture.Server;

    [Fact]
    public async Task UnknownMethod_OfAKnownService_UnimplementedNamingTheMethod()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.UnaryAsync(Server.Channel, "/gate.testing.v1.Echo/Nope", new EchoRequest(), EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.Unimplemented, error.Status);
        Assert.Equal("unknown method Nope of service gate.testing.v1.Echo", error.Detail);
    }

    [Fact]
    public async Task UnknownService_UnimplementedNamingTheService()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.UnaryAsync(Server.Channel, "/acme.v9.Missing/Call", new EchoRequest(), EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.Unimplemented, error.Status);
        Assert.Equal("unknown service acme.v9.Missing", error.Detail);
    }

    [Fact]
    public async Task UnknownMethod_IsHttp200TrailersOnly()
    {
        using var raw = new RawGrpc();

        var response = await raw.SendAsync(Server.GrpcAddress, "/acme.v9.Missing/Call", RawGrpc.Frame(new EchoRequest()));

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal(12, response.GrpcStatus);
        Assert.Equal("application/grpc", response.Headers["content-type"]);
        Assert.Empty(response.Trailers);
    }

    [Fact]
    public async Task ErrorAfterMessages_StatusIsInTheTrailers_NotTheHeaders()
    {
        using var raw = new RawGrpc();
        var request = new EchoRequest { Count = 1, FailCode = (int)StatusCode.Aborted, FailMessage = "late" };

        var response = await raw.SendAsync(Server.GrpcAddress, "/gate.testing.v1.Echo/ServerStream", RawGrpc.Frame(request));

        Assert.False(response.Headers.ContainsKey("grpc-status"));
        Assert.Equal("10", response.Trailers["grpc-status"]);
        Assert.Equal("late", response.Trailers["grpc-message"]);
        Assert.NotEmpty(response.Body);
    }

    [Fact]
    public async Task SuccessfulUnary_HasOneFrameAndStatusZeroInTrailers()
    {
        using var raw = new RawGrpc();

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(new EchoRequest { Text = "hi" }));

        Assert.Equal("0", response.Trailers["grpc-status"]);
        Assert.Equal(0, response.Body[0]);
        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(response.Body.AsSpan(1));
        Assert.Equal(response.Body.Length - 5, length);
        Assert.Equal("hi", EchoResponse.Parser.ParseFrom(response.Body.AsSpan(5)).Text);
    }

    [Fact]
    public async Task OversizedMessage_ResourceExhausted_NamingTheLimit()
    {
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[GrpcProtocol.DefaultMaxMessageBytes + 1]) };

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcCall.UnaryAsync(Server.Channel, Unary, request, EchoResponse.Parser).WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
        Assert.Contains($"over the limit of {GrpcProtocol.DefaultMaxMessageBytes} bytes", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompressedFlag_Unimplemented_AndAdvertisesIdentity()
    {
        using var raw = new RawGrpc();

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(new EchoRequest { Text = "x" }, flag: 1), "application/grpc", ("grpc-encoding", "gzip"));

        Assert.Equal(12, response.GrpcStatus);
        Assert.Equal("identity", response.Headers["grpc-accept-encoding"]);
        Assert.Contains("compressed messages are not supported", Uri.UnescapeDataString(response.GrpcMessage!), StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string> MalformedBodies() => new()
    {
        { "empty body", [], "held no message" },
        { "truncated header", [0, 0, 0], "inside the 5-byte message header" },
        { "truncated payload", [0, 0, 0, 0, 100, 1, 2, 3], "announced a 100-byte message but the request body ended after 3" },
        { "invalid flag", [7, 0, 0, 0, 0], "must be 0 (uncompressed) or 1 (compressed)" },
        { "undecodable protobuf", [0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF], "not a valid gate.testing.v1.EchoRequest" },
        { "two messages", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "more than one message" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedRequest_InvalidArgument_ThenTheSameConnectionStillServes(string caseName, byte[] body, string expected)
    {
        using var raw = new RawGrpc();
        var before = await EchoAsync(raw);

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, body);

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.True(response.GrpcStatus == 3, $"{caseName}: expected INVALID_ARGUMENT, got {response.GrpcStatus} {response.GrpcMessage}");
        Assert.Contains(expected, Uri.UnescapeDataString(response.GrpcMessage!), StringComparison.Ordinal);
        var after = await EchoAsync(raw);
        Assert.Equal(before.ConnectionId, after.ConnectionId);
        Assert.Empty(Server.Logs.Errors);
    }

    [Fact]
    public async Task NonGrpcContentType_Http415()
    {
        using var raw = new RawGrpc();

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(new EchoRequest()), "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
    }

    [Fact]
    public async Task GrpcWebContentType_Http415()
    {
        using var raw = new RawGrpc();

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(new EchoRequest()), "application/grpc-web");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
    }

    [Fact]
    public async Task GrpcProtoContentType_IsAccepted()
    {
        using var raw = new RawGrpc();

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(new EchoRequest { Text = "p" }), "application/grpc+proto");

        Assert.Equal(0, response.GrpcStatus);
    }

    [Fact]
    public async Task GrpcTimeout_ExpiresOnTheServer_DeadlineExceeded()
    {
        // No client-side deadline here: the status must come from the server's own timer.
        using var raw = new RawGrpc();
        var request = new EchoRequest { Text = "server-deadline", DelayMs = 5000 };

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(request), "application/grpc", ("grpc-timeout", "200m"));

        Assert.Equal(4, response.GrpcStatus);
        Assert.Contains("grpc-timeout 200m", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("10")]
    [InlineData("123456789S")]
    [InlineData("5x")]
    public async Task InvalidGrpcTimeout_InvalidArgument(string header)
    {
        using var raw = new RawGrpc();

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(new EchoRequest()), "application/grpc", ("grpc-timeout", header));

        Assert.Equal(3, response.GrpcStatus);
        Assert.Contains($"grpc-timeout '{header}' is not valid", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZeroGrpcTimeout_DeadlineExceededWithoutRunningTheHandler()
    {
        using var raw = new RawGrpc();

        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(new EchoRequest()), "application/grpc", ("grpc-timeout", "0m"));

        Assert.Equal(4, response.GrpcStatus);
    }

    private async Task<EchoResponse> EchoAsync(RawGrpc raw)
    {
        var response = await raw.SendAsync(Server.GrpcAddress, Unary, RawGrpc.Frame(new EchoRequest { Text = "ok" }));
        Assert.Equal(0, response.GrpcStatus);
        return EchoResponse.Parser.ParseFrom(response.Body.AsSpan(5));
    }
}
