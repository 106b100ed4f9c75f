using System.Net;
using Gate.Client;
using GateSidecar.Tests.Infrastructure;
using Grpc.Health.V1;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace GateSidecar.Tests.Hosting;

public sealed class SidecarProcessTests
{
    private static readonly string Files = WriteFiles();

    private static readonly string[] EphemeralPorts =
        ["--grpc-port", "0", "--http-port", "0", "--sqlite", ":memory:", "--policy", Path.Combine(Files, "policy.yaml"), "--approvers", Path.Combine(Files, "approvers.yaml")];

    private static string WriteFiles()
    {
        var dir = Directory.CreateTempSubdirectory("gate-process-").FullName;
        Approvals.Functional.ApprovalSidecar.WriteFiles(dir);
        return dir;
    }

    [Fact]
    public async Task Start_PrintsBothListeningLines_AndServesGrpcAndHttp()
    {
        await using var sidecar = await GateProcess.StartAsync(EphemeralPorts);
        using var channel = GateChannel.ForAddress(sidecar.GrpcAddress);
        using var http = new HttpClient { Timeout = TestTimeouts.Default };

        var health = await new HealthClient(channel).CheckAsync(new HealthCheckRequest()).WithTimeout();
        var healthz = await http.GetAsync(new Uri(sidecar.HttpAddress, "/healthz"), TestContext.Current.CancellationToken).WithTimeout();

        Assert.Equal(ServingStatus.Serving, health.Status);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal("ok", await healthz.Content.ReadAsStringAsync(TestContext.Current.CancellationToken).WithTimeout());
        Assert.Matches(@"^gate: grpc listening on http://127\.0\.0\.1:\d+\ngate: http listening on http://127\.0\.0\.1:\d+\n$", sidecar.StandardOutput.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GatePrefixedEnvironment_ConfiguresTheSidecar()
    {
        var environment = new Dictionary<string, string> { ["GATE_GRPC_PORT"] = "0", ["GATE_HTTP_PORT"] = "0", ["GATE_SQLITE"] = ":memory:", ["GATE_MAX_MESSAGE_BYTES"] = "1024", ["GATE_POLICY"] = Path.Combine(Files, "policy.yaml") };
        await using var sidecar = await GateProcess.StartAsync([], environment);
        using var channel = GateChannel.ForAddress(sidecar.GrpcAddress);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = new string('x', 2000) }).WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
    }

    [Fact]
    public async Task Sigterm_WatchersSeeNotServing_AndTheProcessExitsCleanly()
    {
        await using var sidecar = await GateProcess.StartAsync(EphemeralPorts);
        using var channel = GateChannel.ForAddress(sidecar.GrpcAddress);
        await using var watch = new HealthClient(channel).Watch(new HealthCheckRequest()).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.Serving, watch.Current.Status);

        var exit = sidecar.TerminateAsync();

        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.NotServing, watch.Current.Status);
        Assert.Equal(0, await exit.WithTimeout());
    }

    [Fact]
    public async Task Kill9_EndsTheProcessAtOnce()
    {
        await using var sidecar = await GateProcess.StartAsync(EphemeralPorts);
        using var channel = GateChannel.ForAddress(sidecar.GrpcAddress);
        await new HealthClient(channel).CheckAsync(new HealthCheckRequest()).WithTimeout();

        sidecar.Kill();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            // The kill is asynchronous: keep calling until the sidecar is gone.
            while (true)
            {
                await new HealthClient(channel).CheckAsync(new HealthCheckRequest()).WithTimeout();
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
        }).WaitAsync(TestTimeouts.Default, TestContext.Current.CancellationToken);
        Assert.Equal(StatusCode.Unavailable, error.Status);
        Assert.Equal(128 + 9, await sidecar.WaitForExitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task InvalidOptions_ExitCode2_WithEveryErrorOnStderr()
    {
        var (exitCode, stdout, stderr) = await GateProcess.RunToExitAsync(["--grpc-port", "x", "--listen", "0.0.0.0", "--store", "redis"]);

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("listening", stdout, StringComparison.Ordinal);
        Assert.Contains("gate: --grpc-port: 'x' is not a port number", stderr, StringComparison.Ordinal);
        Assert.Contains("gate: --store redis needs --redis HOST:PORT", stderr, StringComparison.Ordinal);
        Assert.Contains("gate: --listen 0.0.0.0 is not a loopback address: serving beyond this host requires TLS; add --tls-cert FILE --tls-key FILE", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisOlderThan7_StartFailsNamingTheVersionAndTheWayOut()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var relay = new RedisRelay(redis.Port, reportMajorVersion: 6);
        string[] arguments = ["--grpc-port", "0", "--http-port", "0", "--store", "redis", "--redis", relay.Endpoint,
            "--policy", Path.Combine(Files, "policy.yaml"), "--approvers", Path.Combine(Files, "approvers.yaml")];

        var (exitCode, stdout, stderr) = await GateProcess.RunToExitAsync(arguments);

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("listening", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        Assert.Matches(@"gate: redis at 127\.0\.0\.1:\d+ is version 6\.\d+\.\d+; the redis store needs 7\.0 or later", stderr);
        Assert.Contains("Upgrade Redis or use --store sqlite", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_PrintsUsageAndExits0()
    {
        var (exitCode, stdout, _) = await GateProcess.RunToExitAsync(["--help"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("--tls-client-ca", stdout, StringComparison.Ordinal);
    }
}
