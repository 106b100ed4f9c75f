using Gate.Client;
using GateSidecar.Tests.Infrastructure;
using GateSidecar.Transport.Health;
using Grpc.Health.V1;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace GateSidecar.Tests.Transport;

public sealed class HealthServiceTests
{
    [Theory]
    [InlineData("")]
    [InlineData("gate.v1.Gate")]
    [InlineData("gate.v1.Approvals")]
    [InlineData("gate.v1.Audit")]
    public async Task Check_ServerAndContractServices_AreServing(string service)
    {
        await using var server = await GateTestServer.StartAsync();

        var response = await new HealthClient(server.Channel).CheckAsync(new HealthCheckRequest { Service = service }).WithTimeout();

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_UnknownService_NotFound()
    {
        await using var server = await GateTestServer.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new HealthClient(server.Channel).CheckAsync(new HealthCheckRequest { Service = "acme.v1.Nope" }).WithTimeout());

        Assert.Equal(StatusCode.NotFound, error.Status);
        Assert.Contains("acme.v1.Nope", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetStatus_NotServing_IsWhatCheckReports()
    {
        await using var server = await GateTestServer.StartAsync();
        var health = new HealthClient(server.Channel);

        server.GetRequiredService<HealthStatusService>().SetStatus("gate.v1.Gate", ServingStatus.NotServing);

        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "gate.v1.Gate" }).WithTimeout()).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "gate.v1.Audit" }).WithTimeout()).Status);
    }

    [Fact]
    public async Task Watch_SendsTheCurrentStatusThenEachChange()
    {
        await using var server = await GateTestServer.StartAsync();
        var statuses = server.GetRequiredService<HealthStatusService>();
        await using var watch = new HealthClient(server.Channel).Watch(new HealthCheckRequest { Service = "gate.v1.Approvals" })
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);

        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.Serving, watch.Current.Status);

        statuses.SetStatus("gate.v1.Approvals", ServingStatus.NotServing);
        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.NotServing, watch.Current.Status);

        statuses.SetStatus("gate.v1.Approvals", ServingStatus.Serving);
        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.Serving, watch.Current.Status);
    }

    [Fact]
    public async Task Watch_UnknownService_ReportsServiceUnknownUntilItIsSet()
    {
        await using var server = await GateTestServer.StartAsync();
        await using var watch = new HealthClient(server.Channel).Watch(new HealthCheckRequest { Service = "gate.v1.Later" })
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);

        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.ServiceUnknown, watch.Current.Status);

        server.GetRequiredService<HealthStatusService>().SetStatus("gate.v1.Later", ServingStatus.Serving);
        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.Serving, watch.Current.Status);
    }

    [Fact]
    public async Task Watch_WithDeadline_EndsWithDeadlineExceeded()
    {
        await using var server = await GateTestServer.StartAsync();
        var received = new List<ServingStatus>();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            var options = CallOptions.WithTimeout(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
            await foreach (var response in new HealthClient(server.Channel).Watch(new HealthCheckRequest(), options).WithTimeout(TestTimeouts.Default))
            {
                received.Add(response.Status);
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
        Assert.Equal([ServingStatus.Serving], received);
    }

    [Fact]
    public async Task ApplicationStopping_WatchersSeeNotServing_ThenTheStreamEnds()
    {
        var server = await GateTestServer.StartAsync();
        await using var _ = server;
        var watch = new HealthClient(server.Channel).Watch(new HealthCheckRequest()).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.Serving, watch.Current.Status);

        var stopping = server.App.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(await watch.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.NotServing, watch.Current.Status);
        var end = await Assert.ThrowsAsync<RpcException>(() => watch.MoveNextAsync().WithTimeout());
        Assert.Equal(StatusCode.Unavailable, end.Status);
        await stopping.WithTimeout();
        await watch.DisposeAsync();
    }

    [Fact]
    public void SetStatus_AfterStopping_StaysNotServing()
    {
        var statuses = new HealthStatusService();

        statuses.MarkStopping();
        statuses.SetStatus("gate.v1.Gate", ServingStatus.Serving);

        Assert.True(statuses.TryGetStatus("gate.v1.Gate", out var status));
        Assert.Equal(ServingStatus.NotServing, status);
    }

    [Fact]
    public void SetStatus_ServiceUnknown_IsRefused()
    {
        var statuses = new HealthStatusService();

        var error = Assert.Throws<ArgumentException>(() => statuses.SetStatus("gate.v1.Gate", ServingStatus.ServiceUnknown));

        Assert.Contains("cannot be set", error.Message, StringComparison.Ordinal);
    }
}
