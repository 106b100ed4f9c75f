using System.Diagnostics;
using Gate.V1;
using GateSidecar.Approvals;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace GateSidecar.Tests.Approvals.Functional;

/// <summary>The deadline scheduler against a Redis whose deadline index lists an approval that is gone.</summary>
public sealed class DeadlineSchedulerTests : IAsyncLifetime
{
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
    public async Task DueEntryWithoutItsRecord_DoesNotSpin_AndOtherDeadlinesStillFire()
    {
        // An entry in the deadline index whose record was deleted behind the store's back: it stays
        // due for ever, and no timeout can apply it.
        using (var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint).WaitAsync(Wait))
        {
            var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
            Assert.True(await redis.GetDatabase().SortedSetAddAsync("{gate}:due", "ap-deleted-behind-the-store", past).WaitAsync(Wait));
        }

        var scheduler = _sidecar.Services.GetRequiredService<DeadlineScheduler>();
        await Task.Delay(300);
        var before = scheduler.Passes;
        var watch = Stopwatch.StartNew();
        await Task.Delay(1500);
        var passes = scheduler.Passes - before;
        var seconds = watch.Elapsed.TotalSeconds;

        // At most one pass per retry interval (100 ms) and a few more; spinning made tens of thousands.
        Assert.True(passes <= (seconds / DeadlineScheduler.StuckRetry.TotalSeconds) + 5, $"{passes} passes in {seconds:F2} s");

        var events = new List<ApprovalEvent>();
        await foreach (var e in _sidecar.Gate.Guard(ApprovalSidecar.Call("test.quick_deny")).WithCancellation(default).ConfigureAwait(false))
        {
            events.Add(e);
        }

        Assert.Equal([ApprovalState.Pending, ApprovalState.Expired], events.Select(e => e.State));
    }
}
