using Gate.Client;
using Gate.V1;
using GateSidecar.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GateSidecar.Tests.Approvals.Functional;

/// <summary>
/// Real sidecar processes: a pending approval survives kill -9 on both stores; several sidecars on one
/// Redis share approvals; Redis going away and coming back.
/// </summary>
public sealed class DurabilityTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static DecideRequest Approve(string id) => new() { ApprovalId = id, Verdict = DecisionVerdict.Approve };

    private static async Task<ApprovalEvent> NextAsync(IAsyncEnumerator<ApprovalEvent> stream)
    {
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Wait), "the stream ended early");
        return stream.Current;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("redis")]
    public async Task PendingApproval_SurvivesKill9_AndIsDecidedAfterRestart(string store)
    {
        var dir = Directory.CreateTempSubdirectory("gate-kill-").FullName;
        ApprovalSidecar.WriteFiles(dir);
        await using var redis = store == "redis" ? await RedisServer.StartAsync() : null;
        var args = ApprovalSidecar.Arguments(dir, redis?.Endpoint);

        string id;
        // The default rule: pool "default", a 5 minute deadline (no escalation while the test runs).
        var request = ApprovalSidecar.Call("unknown.tool", ApprovalSidecar.Refund(900).Arguments);
        await using (var first = await GateProcess.StartAsync(args))
        {
            using var channel = GateChannel.ForAddress(first.GrpcAddress);
            var response = await new GateClient(channel).CheckAsync(request).WaitAsync(Wait);
            Assert.Equal(Verdict.Pending, response.Verdict);
            id = response.ApprovalId;
            first.Kill();
        }

        await using var second = await GateProcess.StartAsync(args);
        using var channel2 = GateChannel.ForAddress(second.GrpcAddress);
        var gate = new GateClient(channel2);
        var watch = gate.Watch(new WatchRequest { ApprovalId = id }).GetAsyncEnumerator();
        var current = await NextAsync(watch);
        Assert.Equal((ApprovalState.Pending, "default"), (current.State, current.Approval.Pool));
        Assert.Equal(request.Arguments, current.Approval.Request.Arguments);
        var retried = await gate.CheckAsync(request).WaitAsync(Wait);
        Assert.Equal(id, retried.ApprovalId);

        await new ApprovalsClient(channel2, "alice-token").DecideAsync(Approve(id)).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Approved, (await NextAsync(watch)).State);
        await watch.DisposeAsync();
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("redis")]
    public async Task DeadlinePassedWhileDown_IsAppliedAtStart(string store)
    {
        var dir = Directory.CreateTempSubdirectory("gate-down-").FullName;
        ApprovalSidecar.WriteFiles(dir);
        await using var redis = store == "redis" ? await RedisServer.StartAsync() : null;
        var args = ApprovalSidecar.Arguments(dir, redis?.Endpoint);

        string id;
        await using (var first = await GateProcess.StartAsync(args))
        {
            using var channel = GateChannel.ForAddress(first.GrpcAddress);
            id = (await new GateClient(channel).CheckAsync(ApprovalSidecar.Call("test.quick_deny")).WaitAsync(Wait)).ApprovalId;
            first.Kill();
        }

        await Task.Delay(TimeSpan.FromMilliseconds(600));
        await using var second = await GateProcess.StartAsync(args);
        using var channel2 = GateChannel.ForAddress(second.GrpcAddress);
        var events = await EventStreams.CollectAsync(new GateClient(channel2).Watch(new WatchRequest { ApprovalId = id }));

        Assert.Equal(ApprovalState.Expired, events[^1].State);
        Assert.Equal("timer", events[^1].Actor);
    }

    [Fact]
    public async Task TwoSidecarsOnOneRedis_DecisionOnB_ReachesGuardOnA_AndTimeoutFiresOnce()
    {
        var dir = Directory.CreateTempSubdirectory("gate-two-").FullName;
        ApprovalSidecar.WriteFiles(dir);
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ApprovalSidecar.StartAsync(dir, redis.Endpoint);
        await using var b = await ApprovalSidecar.StartAsync(dir, redis.Endpoint);

        var guard = a.Gate.Guard(ApprovalSidecar.Refund(900)).GetAsyncEnumerator();
        var pending = await NextAsync(guard);
        var decided = await b.As("bob").DecideAsync(Approve(pending.ApprovalId)).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Approved, decided.State);
        var approved = await NextAsync(guard);
        Assert.Equal((ApprovalState.Approved, "approver:bob"), (approved.State, approved.Actor));
        Assert.NotEmpty(approved.Approval.Token);
        await guard.DisposeAsync();

        // Both sidecars run deadline schedulers; the timeout must apply exactly once.
        var events = await EventStreams.CollectAsync(b.Gate.Guard(ApprovalSidecar.Call("test.quick_deny")));

        Assert.Equal(ApprovalState.Expired, events[^1].State);
        var audit = await new AuditClient(a.Channel).ListEventsAsync(new ListEventsRequest { ApprovalId = events[0].ApprovalId }).WaitAsync(Wait);
        Assert.Single(audit.Events, e => e.Type == "expired");
        var verify = await new AuditClient(b.Channel).VerifyAsync(new VerifyRequest()).WaitAsync(Wait);
        Assert.True(verify.Ok, verify.Detail);
    }

    [Fact]
    public async Task RedisStoppedAndStarted_GatedCallsFailClosedThenRecover()
    {
        var dir = Directory.CreateTempSubdirectory("gate-outage-").FullName;
        ApprovalSidecar.WriteFiles(dir);
        await using var redis = await RedisServer.StartAsync();
        await using var sidecar = await ApprovalSidecar.StartAsync(dir, redis.Endpoint);
        var pendingId = (await sidecar.Gate.CheckAsync(ApprovalSidecar.Call("unknown.tool")).WaitAsync(Wait)).ApprovalId;

        await redis.KillAsync();
        var down = await Assert.ThrowsAsync<RpcException>(() => sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(901))).WaitAsync(Wait);
        Assert.Equal(StatusCode.Unavailable, down.Status);
        var auto = await Assert.ThrowsAsync<RpcException>(() => sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(10))).WaitAsync(Wait);
        Assert.Equal(StatusCode.Unavailable, auto.Status);
        using var http = new HttpClient { BaseAddress = sidecar.HttpAddress };
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, await ReadyStatusEventuallyAsync(http, System.Net.HttpStatusCode.ServiceUnavailable));

        await redis.StartAgainAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, await ReadyStatusEventuallyAsync(http, System.Net.HttpStatusCode.OK));
        var again = await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(902)).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, again.Verdict);
        var survived = await sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = pendingId }).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Pending, survived.State);
    }

    [Fact]
    public async Task OutageAutoPass_OptIn_AllowsAutoCallsAndWritesTheirRecordsWhenRedisReturns()
    {
        var dir = Directory.CreateTempSubdirectory("gate-optin-").FullName;
        ApprovalSidecar.WriteFiles(dir);
        await using var redis = await RedisServer.StartAsync();
        await using var sidecar = await ApprovalSidecar.StartAsync(dir, redis.Endpoint, configure: o => o with { OutageAutoPass = true });

        await redis.KillAsync();
        var allowed = await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(10)).WaitAsync(Wait);
        Assert.Equal(Verdict.Allow, allowed.Verdict);
        Assert.NotEmpty(allowed.Token);
        var gated = await Assert.ThrowsAsync<RpcException>(() => sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900))).WaitAsync(Wait);
        Assert.Equal(StatusCode.Unavailable, gated.Status);

        // Guard starts from the record its call created, here the buffered one: one ALLOWED event
        // with its token, and no listener left behind.
        var guarded = await EventStreams.CollectAsync(sidecar.Gate.Guard(ApprovalSidecar.Refund(11)));

        var guardedAllowed = Assert.Single(guarded);
        Assert.Equal(ApprovalState.Allowed, guardedAllowed.State);
        Assert.NotEmpty(guardedAllowed.Approval.Token);
        Assert.Equal(0, sidecar.Services.GetRequiredService<GateSidecar.Approvals.ChangeFeed>().ListenedApprovals);

        await redis.StartAgainAsync();
        foreach (var id in new[] { allowed.ApprovalId, guardedAllowed.ApprovalId })
        {
            Approval? written = null;
            for (var i = 0; i < 100 && written is null; i++)
            {
                try
                {
                    written = await sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(Wait);
                }
                catch (RpcException ex) when (ex.Status is StatusCode.NotFound or StatusCode.Unavailable)
                {
                    await Task.Delay(100);
                }
            }

            Assert.NotNull(written);
            Assert.Equal(ApprovalState.Allowed, written.State);
        }

        var audit = await new AuditClient(sidecar.Channel).ListEventsAsync(new ListEventsRequest { ApprovalId = allowed.ApprovalId }).WaitAsync(Wait);
        Assert.Equal(["created", "allowed"], audit.Events.Select(e => e.Type));
    }

    private static async Task<System.Net.HttpStatusCode> ReadyStatusEventuallyAsync(HttpClient http, System.Net.HttpStatusCode wanted)
    {
        var status = System.Net.HttpStatusCode.InternalServerError;
        for (var i = 0; i < 100; i++)
        {
            using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative)).WaitAsync(Wait);
            status = response.StatusCode;
            if (status == wanted)
            {
                break;
            }

            await Task.Delay(100);
        }

        return status;
    }
}
