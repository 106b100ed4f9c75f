using System.Diagnostics;
using Gate.Client;
using Gate.V1;
using GateSidecar.Approvals;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace GateSidecar.Tests.Approvals.Functional;

/// <summary>The deadline scheduler against a Redis whose deadline index was changed behind the store.</summary>
public sealed class DeadlineSchedulerTests : IAsyncLifetime
{
    private const string DueKey = "{gate}:due";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private Infrastructure.RedisServer _redis = null!;
    private ApprovalSidecar _sidecar = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await Infrastructure.RedisServer.StartAsync();
        _sidecar = await ApprovalSidecar.StartAsync(redis: _redis.Endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task DueEntriesWithoutAnOpenRecord_AreRemoved_AndTheDeadlinesAfterThemStillFire()
    {
        // More entries than one batch of the scheduler (256), all due, with no record behind them
        // (deleted outside Gate, or evicted), and one whose record is closed: returned as due, they
        // filled every batch for ever.
        var allowed = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(5)).WaitAsync(Wait);
        Assert.Equal(Verdict.Allow, allowed.Verdict);
        using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint).WaitAsync(Wait);
        var db = redis.GetDatabase();
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        var ghosts = Enumerable.Range(0, 300).Select(i => new SortedSetEntry("ap-gone-" + i, past + i))
            .Append(new SortedSetEntry(allowed.ApprovalId, past)).ToArray();
        Assert.Equal(301, await db.SortedSetAddAsync(DueKey, ghosts).WaitAsync(Wait));

        Assert.Equal([ApprovalState.Pending, ApprovalState.Expired], await GuardStatesAsync(ApprovalSidecar.Call("test.quick_deny")).WaitAsync(Wait));
        Assert.Equal(0, await db.SortedSetLengthAsync(DueKey, double.NegativeInfinity, past + 300).WaitAsync(Wait));
        Assert.Equal(ApprovalState.Allowed, (await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = allowed.ApprovalId }).WaitAsync(Wait)).State);
    }

    [Fact]
    public async Task DueEntryThatCannotBeApplied_DoesNotSpin_AndOtherDeadlinesStillFire()
    {
        // A pending approval due in 2 minutes whose index entry says it was due a minute ago: the
        // record does not show it due, so no timeout applies it, and it stays listed as due.
        var pending = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900)).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, pending.Verdict);
        using (var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint).WaitAsync(Wait))
        {
            var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
            Assert.False(await redis.GetDatabase().SortedSetAddAsync(DueKey, pending.ApprovalId, past).WaitAsync(Wait));
        }

        var scheduler = _sidecar.Services.GetRequiredService<DeadlineScheduler>();
        await Task.Delay(300);
        var before = scheduler.Passes;
        var watch = Stopwatch.StartNew();
        await Task.Delay(1500);
        var passes = scheduler.Passes - before;
        var seconds = watch.Elapsed.TotalSeconds;

        // At most one pass per retry interval (100 ms) and a few more; it spun: 4,571 in 1.5 s.
        Assert.True(passes <= (seconds / DeadlineScheduler.StuckRetry.TotalSeconds) + 5, $"{passes} passes in {seconds:F2} s");
        Assert.Equal([ApprovalState.Pending, ApprovalState.Expired], await GuardStatesAsync(ApprovalSidecar.Call("test.quick_deny")).WaitAsync(Wait));
        Assert.Equal(ApprovalState.Pending, (await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = pending.ApprovalId }).WaitAsync(Wait)).State);
    }

    [Fact]
    public async Task MoreDueEntriesThanABatchThatCannotBeApplied_DoNotHoldBackALaterDeadline()
    {
        // 300 pending approvals (more than one listing batch, 256) whose index entries say they
        // were due a minute ago: none can be timed out, and a pass used to list only them.
        var pending = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900)))).WaitAsync(Wait);
        Assert.All(pending, p => Assert.Equal(Verdict.Pending, p.Verdict));
        using (var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint).WaitAsync(Wait))
        {
            var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
            Assert.Equal(0, await redis.GetDatabase().SortedSetAddAsync(DueKey, pending.Select((p, i) => new SortedSetEntry(p.ApprovalId, past + i)).ToArray()).WaitAsync(Wait));
        }

        Assert.Equal([ApprovalState.Pending, ApprovalState.Expired], await GuardStatesAsync(ApprovalSidecar.Call("test.quick_deny")).WaitAsync(Wait));
        Assert.Equal(ApprovalState.Pending, (await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = pending[299].ApprovalId }).WaitAsync(Wait)).State);
    }

    private async Task<List<ApprovalState>> GuardStatesAsync(CheckRequest request) =>
        [.. (await EventStreams.CollectAsync(_sidecar.Gate.Guard(request))).Select(e => e.State)];
}
