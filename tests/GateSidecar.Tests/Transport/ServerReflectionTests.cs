using Gate.Client;
using GateSidecar.Tests.Infrastructure;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using Xunit;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace GateSidecar.Tests.Transport;

public sealed class ServerReflectionTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    private const string Method = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

    [Fact]
    public async Task ListServices_NamesEveryServedService()
    {
        var responses = await AskAsync(new ServerReflectionRequest { ListServices = "*" });

        var names = responses.Single().ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Equal(
            ["gate.testing.v1.Echo", "gate.v1.Approvals", "gate.v1.Audit", "gate.v1.Gate", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"],
            names);
    }

    [Fact]
    public async Task FileContainingSymbol_GateService_ReturnsItsFileFirstWithEveryDependency()
    {
        var responses = await AskAsync(new ServerReflectionRequest { FileContainingSymbol = "gate.v1.Gate" });

        var files = responses.Single().FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b)).ToList();
        Assert.Equal("gate/v1/gate.proto", files[0].Name);
        Assert.Equal(
            ["gate/v1/gate.proto", "gate/v1/types.proto", "google/protobuf/struct.proto", "google/protobuf/timestamp.proto"],
            files.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Contains(files[0].Service.Single().Method, m => m.Name == "Guard" && m.ServerStreaming);
    }

    [Theory]
    [InlineData("gate.v1.Gate.Check", "gate/v1/gate.proto")]
    [InlineData("gate.v1.CheckRequest", "gate/v1/types.proto")]
    [InlineData(".gate.v1.CheckRequest", "gate/v1/types.proto")]
    [InlineData("gate.v1.Verdict", "gate/v1/types.proto")]
    [InlineData("gate.v1.DecideRequest", "gate/v1/approvals.proto")]
    [InlineData("gate.v1.AuditEvent", "gate/v1/audit.proto")]
    [InlineData("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto")]
    [InlineData("google.protobuf.Struct", "google/protobuf/struct.proto")]
    [InlineData("gate.testing.v1.Echo", "gate/testing/v1/echo.proto")]
    public async Task FileContainingSymbol_FindsTheDeclaringFile(string symbol, string file)
    {
        var responses = await AskAsync(new ServerReflectionRequest { FileContainingSymbol = symbol });

        var first = FileDescriptorProto.Parser.ParseFrom(responses.Single().FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal(file, first.Name);
    }

    [Fact]
    public async Task FileByFilename_ReturnsTheFile()
    {
        var responses = await AskAsync(new ServerReflectionRequest { FileByFilename = "gate/v1/types.proto" });

        var first = FileDescriptorProto.Parser.ParseFrom(responses.Single().FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("gate/v1/types.proto", first.Name);
        Assert.Contains(first.MessageType, m => m.Name == "Approval");
    }

    [Fact]
    public async Task UnknownSymbolAndFile_ErrorResponseNotFound_AndTheStreamGoesOn()
    {
        var responses = await AskAsync(
            new ServerReflectionRequest { FileContainingSymbol = "acme.Nothing" },
            new ServerReflectionRequest { FileByFilename = "acme/nothing.proto" },
            new ServerReflectionRequest { ListServices = "" });

        Assert.Equal(3, responses.Count);
        Assert.Equal((int)StatusCode.NotFound, responses[0].ErrorResponse.ErrorCode);
        Assert.Contains("acme.Nothing", responses[0].ErrorResponse.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal((int)StatusCode.NotFound, responses[1].ErrorResponse.ErrorCode);
        Assert.NotEmpty(responses[2].ListServicesResponse.Service);
    }

    [Fact]
    public async Task AllExtensionNumbersOfType_KnownMessage_EmptyList()
    {
        var responses = await AskAsync(new ServerReflectionRequest { AllExtensionNumbersOfType = "gate.v1.CheckRequest" });

        Assert.Equal("gate.v1.CheckRequest", responses.Single().AllExtensionNumbersResponse.BaseTypeName);
        Assert.Empty(responses.Single().AllExtensionNumbersResponse.ExtensionNumber);
    }

    [Fact]
    public async Task Response_EchoesTheOriginalRequest()
    {
        var request = new ServerReflectionRequest { Host = "localhost", ListServices = "" };

        var response = (await AskAsync(request)).Single();

        Assert.Equal(request, response.OriginalRequest);
        Assert.Equal("localhost", response.ValidHost);
    }

    [Fact]
    public async Task V1Alpha_AnswersLikeV1()
    {
        var responses = await GrpcCall.DuplexStreaming(
            fixture.Server.Channel,
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            Requests(new V1Alpha.ServerReflectionRequest { ListServices = "" }, new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "gate.v1.Audit" }),
            V1Alpha.ServerReflectionResponse.Parser).ReadAllAsync();

        Assert.Contains(responses[0].ListServicesResponse.Service, s => s.Name == "grpc.reflection.v1alpha.ServerReflection");
        Assert.Equal("gate/v1/audit.proto", FileDescriptorProto.Parser.ParseFrom(responses[1].FileDescriptorResponse.FileDescriptorProto[0]).Name);
    }

    private Task<List<ServerReflectionResponse>> AskAsync(params ServerReflectionRequest[] requests) =>
        GrpcCall.DuplexStreaming(fixture.Server.Channel, Method, Requests(requests), ServerReflectionResponse.Parser).ReadAllAsync();

    private static async IAsyncEnumerable<T> Requests<T>(params T[] requests)
    {
        foreach (var request in requests)
        {
            await Task.Yield();
            yield return request;
        }
    }
}
