using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using GateSidecar.Transport;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace GateSidecar.Tests.Transport;

public sealed class GrpcServiceRegistryTests
{
    private static readonly Google.Protobuf.Reflection.MethodDescriptor EchoUnary = EchoService.Descriptor.Methods[0];
    private static readonly Google.Protobuf.Reflection.MethodDescriptor EchoStream = EchoService.Descriptor.Methods[1];

    [Fact]
    public void AddUnary_ForAStreamingMethod_IsRefusedNamingTheRightRegistration()
    {
        var registry = NewRegistry();

        var error = Assert.Throws<ArgumentException>(() => registry.AddUnary<EchoRequest, EchoResponse>(EchoStream, (r, _) => ValueTask.FromResult(new EchoResponse())));

        Assert.Contains("use AddServerStreaming", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddUnary_WithTheWrongMessageTypes_IsRefused()
    {
        var registry = NewRegistry();

        var error = Assert.Throws<ArgumentException>(() =>
            registry.AddUnary<HealthCheckRequest, EchoResponse>(EchoUnary, (_, _) => ValueTask.FromResult(new EchoResponse())));

        Assert.Contains("takes gate.testing.v1.EchoRequest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddUnary_Twice_IsRefused()
    {
        var registry = NewRegistry();
        registry.AddUnary<EchoRequest, EchoResponse>(EchoUnary, (_, _) => ValueTask.FromResult(new EchoResponse()));

        var error = Assert.Throws<InvalidOperationException>(() =>
            registry.AddUnary<EchoRequest, EchoResponse>(EchoUnary, (_, _) => ValueTask.FromResult(new EchoResponse())));

        Assert.Contains("/gate.testing.v1.Echo/Unary already has a handler", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_AfterBuild_IsRefused()
    {
        var registry = NewRegistry();
        registry.Build();

        Assert.Throws<InvalidOperationException>(() => registry.AddUnimplemented(EchoService.Descriptor, "later"));
    }

    [Fact]
    public void Services_ListsEachServiceOnce()
    {
        var registry = NewRegistry();
        registry.AddUnimplemented(EchoService.Descriptor, "echo");
        registry.AddUnary<EchoRequest, EchoResponse>(EchoUnary, (_, _) => ValueTask.FromResult(new EchoResponse()));

        Assert.Equal(["gate.testing.v1.Echo"], registry.Services.Select(s => s.FullName));
    }

    [Fact]
    public async Task Handler_TakesPrecedenceOverThePlaceholder_WhateverTheOrder()
    {
        await using var server = await GateTestServer.StartAsync(o => o.ConfigureApp.Add((_, registry) =>
        {
            registry.AddUnary<EchoRequest, EchoResponse>(EchoUnary, (r, _) => ValueTask.FromResult(new EchoResponse { Text = "real " + r.Text }));
            registry.AddUnimplemented(EchoService.Descriptor, "the rest of echo");
        }));

        var answer = await GrpcCall.UnaryAsync(server.Channel, "/gate.testing.v1.Echo/Unary", new EchoRequest { Text = "x" }, EchoResponse.Parser).WithTimeout();
        var placeholder = await Assert.ThrowsAsync<RpcException>(() =>
            GrpcCall.ServerStreaming(server.Channel, "/gate.testing.v1.Echo/ServerStream", new EchoRequest(), EchoResponse.Parser).ReadAllAsync());

        Assert.Equal("real x", answer.Text);
        Assert.Equal(StatusCode.Unimplemented, placeholder.Status);
        Assert.Equal("/gate.testing.v1.Echo/ServerStream is not available yet: the rest of echo", placeholder.Detail);
    }

    private static GrpcServiceRegistry NewRegistry() =>
        new(new GrpcServerRuntime(new GrpcTransportOptions(), TimeProvider.System, NullLoggerFactory.Instance));
}
