using System.Text.Json;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using Xunit;

namespace GateSidecar.Tests.Interop;

/// <summary>Python grpcio (a real, independent gRPC implementation) calling the sidecar.</summary>
public sealed class PythonInteropTests(EchoServerFixture server, PythonInteropFixture python)
    : IClassFixture<EchoServerFixture>, IClassFixture<PythonInteropFixture>
{
    private string Target => $"127.0.0.1:{server.Server.GrpcAddress.Port}";

    [Fact]
    public async Task Python_HealthCheck_Serving()
    {
        var result = await CheckAsync("health_check");

        Assert.Equal("OK", Code(result));
        Assert.Equal("SERVING", result.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Python_HealthCheckOfUnknownService_NotFound()
    {
        var result = await CheckAsync("health_check_unknown");

        Assert.Equal("NOT_FOUND", Code(result));
        Assert.Contains("acme.v1.Nope", Details(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Python_ReflectionListsContractHealthAndReflectionServices()
    {
        var result = await CheckAsync("reflection_list");

        var services = result.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Equal("OK", Code(result));
        Assert.Subset(
            services.ToHashSet(),
            new HashSet<string?> { "gate.v1.Gate", "gate.v1.Approvals", "gate.v1.Audit", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection" });
    }

    [Fact]
    public async Task Python_ReflectionFileContainingGateService_IsTheFileWithItsDependencies()
    {
        var result = await CheckAsync("reflection_symbol");

        var files = result.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal("OK", Code(result));
        Assert.Equal("gate/v1/gate.proto", files[0].GetProperty("name").GetString());
        Assert.Equal(
            ["Check", "Guard", "Watch", "GetApproval", "Cancel", "ReportOutcome"],
            files[0].GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(
            ["gate/v1/gate.proto", "gate/v1/types.proto", "google/protobuf/struct.proto", "google/protobuf/timestamp.proto"],
            files.Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Python_ReflectionUnknownSymbol_ErrorResponseNotFound()
    {
        var result = await CheckAsync("reflection_unknown_symbol");

        Assert.Equal("OK", Code(result));
        Assert.Equal(5, result.GetProperty("error_code").GetInt32());
    }

    [Fact]
    public async Task Python_UnaryEcho_RoundTripsMessageAndMetadata()
    {
        var result = await CheckAsync("unary_echo");

        Assert.Equal("OK", Code(result));
        Assert.Equal("hello from python", result.GetProperty("text").GetString());
        Assert.Equal("py-agent", result.GetProperty("header_value").GetString());
        // grpcio rounds its 10 s timeout up when it encodes grpc-timeout.
        Assert.InRange(result.GetProperty("deadline_remaining_ms").GetInt64(), 1, 11_000);
    }

    [Fact]
    public async Task Python_ErrorWithNonAsciiMessage_IsDecodedExactly()
    {
        var result = await CheckAsync("unary_error_non_ascii");

        Assert.Equal("PERMISSION_DENIED", Code(result));
        Assert.Equal("Rückerstattung abgelehnt: 100% ≠ 日本語", Details(result));
    }

    [Fact]
    public async Task Python_ServerStream_ReceivesEveryMessage()
    {
        var result = await CheckAsync("server_stream_echo");

        Assert.Equal("OK", Code(result));
        Assert.Equal([0, 1, 2, 3, 4], result.GetProperty("indexes").EnumerateArray().Select(i => i.GetInt32()));
    }

    [Fact]
    public async Task Python_HealthWatchWith200msTimeout_ServingThenDeadlineExceeded()
    {
        var result = await CheckAsync("health_watch_deadline");

        Assert.Equal("DEADLINE_EXCEEDED", Code(result));
        Assert.Equal(["SERVING"], result.GetProperty("received").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Python_UnknownMethod_Unimplemented()
    {
        var result = await CheckAsync("unknown_method");

        Assert.Equal("UNIMPLEMENTED", Code(result));
        Assert.Equal("unknown method NoSuchMethod of service gate.v1.Gate", Details(result));
    }

    [Fact]
    public async Task Python_ContractPlaceholder_UnimplementedNamingTheCapability()
    {
        var result = await CheckAsync("unimplemented_contract");

        Assert.Equal("UNIMPLEMENTED", Code(result));
        Assert.StartsWith("/gate.v1.Gate/GetApproval is not available yet: ", Details(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Python_OversizedMessage_ResourceExhausted()
    {
        var result = await CheckAsync("oversized");

        Assert.Equal("RESOURCE_EXHAUSTED", Code(result));
        Assert.Contains("over the limit of 4194304 bytes", Details(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedFrame_ThenPythonGoodCall_IsServed()
    {
        using var raw = new RawGrpc();
        var malformed = await raw.SendAsync(server.Server.GrpcAddress, "/gate.testing.v1.Echo/Unary", [0, 0, 0, 0, 50, 1, 2]);
        Assert.Equal(3, malformed.GrpcStatus);

        var results = await python.RunClientAsync(Target, "unary_echo").WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal("OK", Code(results["unary_echo"]));
        Assert.Equal("hello from python", results["unary_echo"].GetProperty("text").GetString());
        Assert.Empty(server.Server.Logs.Errors);
    }

    private async Task<JsonElement> CheckAsync(string name)
    {
        var results = await python.AllChecksAsync(Target).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.True(results.ContainsKey(name), $"python_client.py printed no result for {name}");
        return results[name];
    }

    private static string? Code(JsonElement result) => result.GetProperty("code").GetString();

    private static string Details(JsonElement result) => result.GetProperty("details").GetString() ?? string.Empty;
}
