using System.Diagnostics;
using Gate.Client;
using Gate.V1;
using GateSidecar.Approvals;
using Microsoft.Extensions.DependencyInjection;

namespace GateSidecar.Tests.Approvals.Functional;

/// <summary>
/// Guard starts its stream from the record it created (listening on the new id before the write)
/// instead of reading it back; and the deadline scheduler sleeps through changes whose deadline is
/// later than its planned wake. Each store runs the same tests (concrete classes at the end).
/// </summary>
public abstract class GuardStartTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private ApprovalSidecar _sidecar = null!;
    private ObservedApprovalStore _store = null!;

    internal abstract Task<ApprovalSidecar> StartSidecarAsync(Func<IApprovalStore, IApprovalStore> wrapStore);

    public async ValueTask InitializeAsync() =>
        _sidecar = await StartSidecarAsync(inner => _store = new ObservedApprovalStore(inner));

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    private ChangeFeed Feed => _sidecar.Services.GetRequiredService<ChangeFeed>();

    private protected ApprovalSidecar Sidecar => _sidecar;

    [Fact]
    public async Task Guard_ChangeCommittedRightAfterTheCreation_IsStreamedAfterTheCreatedRecord_WithoutReadingItBack()
    {
        // The instant between the creation's commit and the stream's start: a cancellation lands there.
        var machine = new ApprovalStateMachine(TimeProvider.System);
        string? created = null;
        _store.AfterCreate = async (inner, result) =>
        {
            if (!result.Created || result.Record.Approval.State != ApprovalState.Pending)
            {
                return;
            }

            created = result.Record.Approval.ApprovalId;
            var cancel = machine.Cancel(result.Record, "agent:agent-7", "withdrawn at once");
            Assert.True(await inner.TryUpdateAsync(cancel.Value!.Record, cancel.Value.ExpectedSeq, cancel.Value.Audit, CancellationToken.None));
        };

        var events = await EventStreams.CollectAsync(_sidecar.Gate.Guard(ApprovalSidecar.Refund(900)));

        Assert.Equal([(ApprovalState.Pending, 1L), (ApprovalState.Cancelled, 2L)], events.Select(e => (e.State, e.Seq)));
        Assert.Equal(created, events[0].ApprovalId);
        Assert.Equal("agent:agent-7", events[1].Actor);
        Assert.Equal(0, _store.ReadsOf(created!));
        Assert.Equal(0, Feed.ListenedApprovals);
    }

    [Fact]
    public async Task Decide_OnTheSidecarThatCreatedTheApproval_StartsFromTheRecordItHolds_WithoutReadingIt()
    {
        var pending = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900)).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, pending.Verdict);

        var decided = await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = pending.ApprovalId, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait);

        Assert.Equal((ApprovalState.Approved, 2L), (decided.State, decided.Seq));
        Assert.Equal(0, _store.ReadsOf(pending.ApprovalId));
    }

    [Fact]
    public async Task Decide_HeldRecordStale_RefusalOrLostCompareAndSetReadsAgain_SoTheCurrentRecordDecides()
    {
        // Two approvals changed behind the sidecar's back (through the inner store) after it held them:
        // one escalated to finance-leads (carol's pool, not alice's), one cancelled by the agent.
        var escalated = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900)).WaitAsync(Wait);
        var cancelled = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(901)).WaitAsync(Wait);
        var later = new ApprovalStateMachine(new ManualClock(DateTimeOffset.UtcNow.AddHours(1)));
        var inner = _store.Inner;
        var current = (await inner.GetAsync(escalated.ApprovalId, CancellationToken.None))!;
        var escalation = later.Timeout(current)!;
        Assert.True(await inner.TryUpdateAsync(escalation.Record, escalation.ExpectedSeq, escalation.Audit, CancellationToken.None));
        Assert.Equal("finance-leads", escalation.Record.Approval.Pool);
        current = (await inner.GetAsync(cancelled.ApprovalId, CancellationToken.None))!;
        var cancel = later.Cancel(current, "agent:agent-7", "withdrawn").Value!;
        Assert.True(await inner.TryUpdateAsync(cancel.Record, cancel.ExpectedSeq, cancel.Audit, CancellationToken.None));

        // The held record says pool finance: carol would be refused on it; the fresh read lets her decide.
        var decided = await _sidecar.As("carol").DecideAsync(new DecideRequest { ApprovalId = escalated.ApprovalId, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait);
        Assert.Equal((ApprovalState.Approved, 3L, "finance-leads"), (decided.State, decided.Seq, decided.Pool));

        // The held record says pending: alice's approval loses the compare-and-set and is answered from the store.
        var refused = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = cancelled.ApprovalId, Verdict = DecisionVerdict.Approve })).WaitAsync(Wait);
        Assert.Equal(StatusCode.FailedPrecondition, refused.Status);
        Assert.Equal(ApprovalState.Cancelled, (await inner.GetAsync(cancelled.ApprovalId, CancellationToken.None))!.Approval.State);
    }

    [Fact]
    public async Task Guard_RetriedCallId_StreamsTheExistingApprovalFromARead()
    {
        var request = ApprovalSidecar.Refund(900);
        var first = await _sidecar.Gate.CheckAsync(request).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, first.Verdict);

        await using var stream = _sidecar.Gate.Guard(request).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal((first.ApprovalId, ApprovalState.Pending), (stream.Current.ApprovalId, stream.Current.State));
        Assert.True(_store.ReadsOf(first.ApprovalId) >= 1, "the stream of a retried call id reads the stored approval");

        await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = first.ApprovalId, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait);
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(ApprovalState.Approved, stream.Current.State);
        Assert.False(await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Guard_RefusedOrAutoPassCall_LeavesNoListenerBehind()
    {
        var invalid = ApprovalSidecar.Call("payments.refund");
        invalid.CallId = string.Empty;
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in _sidecar.Gate.Guard(invalid).WithCancellation(default).ConfigureAwait(false))
            {
            }
        }).WaitAsync(Wait);
        Assert.Equal(StatusCode.InvalidArgument, refused.Status);

        var events = await EventStreams.CollectAsync(_sidecar.Gate.Guard(ApprovalSidecar.Refund(5)));

        Assert.Equal(ApprovalState.Allowed, Assert.Single(events).State);
        Assert.Equal(0, _store.ReadsOf(events[0].ApprovalId));
        Assert.Equal(0, Feed.ListenedApprovals);
    }

    [Fact]
    public async Task Guard_ClientGoneBeforeTheDecision_LeavesNoListenerBehind()
    {
        using var cts = new CancellationTokenSource();
        var stream = _sidecar.Gate.Guard(ApprovalSidecar.Refund(900), new CallOptions(cancellationToken: cts.Token)).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(async () => await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
        await stream.DisposeAsync();

        var watch = Stopwatch.StartNew();
        while (Feed.ListenedApprovals != 0 && watch.Elapsed < Wait)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, Feed.ListenedApprovals);
    }

    [Fact]
    public async Task DeadlineScheduler_PendingCreationsWithLaterDeadlines_DoNotWakeIt_AndAnEarlierDeadlineStillFires()
    {
        var scheduler = _sidecar.Services.GetRequiredService<DeadlineScheduler>();
        var before = scheduler.Passes;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(Verdict.Pending, (await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900)).WaitAsync(Wait)).Verdict);
        }

        // One pass per second at most (the longest sleep), plus the one under way: not one per creation.
        var passes = scheduler.Passes - before;
        var seconds = watch.Elapsed.TotalSeconds;
        Assert.True(passes <= Math.Ceiling(seconds) + 2, $"{passes} passes in {seconds:F2} s for 40 creations due in 2 minutes");

        // A deadline earlier than the planned wake (400 ms, the sleep is up to 1 s) is applied.
        var events = await EventStreams.CollectAsync(_sidecar.Gate.Guard(ApprovalSidecar.Call("test.quick_deny")));

        Assert.Equal([ApprovalState.Pending, ApprovalState.Expired], events.Select(e => e.State));

        // The timeout used the record read with the due listing (and the stream the created one).
        Assert.Equal(0, _store.ReadsOf(events[0].ApprovalId));
    }

    [Fact]
    public async Task DeadlineScheduler_ATimeoutWhoseWriteIsHeld_DoesNotHoldBackALaterDeadline()
    {
        // The first approval's timeout write is held until released; the second falls due while it
        // is held. A pass used to wait for every timeout it started before looking again. The hold
        // is in place before the first call: its 400 ms deadline can pass before a slow answer arrives.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? heldId = null;
        _store.BeforeUpdate = async record =>
        {
            if (record.Approval.State == ApprovalState.Expired && Interlocked.CompareExchange(ref heldId, record.Approval.ApprovalId, null) is null)
            {
                held.TrySetResult();
                await release.Task;
            }
        };

        var first = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Call("test.quick_deny")).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, first.Verdict);
        await held.Task.WaitAsync(Wait);
        Assert.Equal(first.ApprovalId, heldId);
        var events = new List<ApprovalEvent>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            events = await EventStreams.CollectAsync(_sidecar.Gate.Guard(ApprovalSidecar.Call("test.quick_deny"), new CallOptions(cancellationToken: cts.Token)));
        }
        finally
        {
            Assert.Equal(ApprovalState.Pending, (await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = first.ApprovalId }).WaitAsync(Wait)).State);
            release.TrySetResult();
        }

        Assert.Equal([ApprovalState.Pending, ApprovalState.Expired], events.Select(e => e.State));

        // The held one is applied once released.
        var watch = Stopwatch.StartNew();
        var state = ApprovalState.Pending;
        while (state == ApprovalState.Pending && watch.Elapsed < Wait)
        {
            await Task.Delay(20);
            state = (await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = first.ApprovalId }).WaitAsync(Wait)).State;
        }

        Assert.Equal(ApprovalState.Expired, state);
    }

    [Fact]
    public async Task DeadlineScheduler_ATimeoutWhoseWriteFails_IsTriedAgain()
    {
        var failures = 0;
        _store.BeforeUpdate = record =>
        {
            if (record.Approval.State == ApprovalState.Expired && Interlocked.Increment(ref failures) <= 2)
            {
                throw new StoreUnavailableException("the store is restarting (a test)");
            }

            return Task.CompletedTask;
        };

        var events = await EventStreams.CollectAsync(_sidecar.Gate.Guard(ApprovalSidecar.Call("test.quick_deny")));

        Assert.Equal([ApprovalState.Pending, ApprovalState.Expired], events.Select(e => e.State));
        Assert.Equal(3, Volatile.Read(ref failures));
    }
}

public sealed class SqliteGuardStartTests : GuardStartTests
{
    internal override Task<ApprovalSidecar> StartSidecarAsync(Func<IApprovalStore, IApprovalStore> wrapStore) =>
        ApprovalSidecar.StartAsync(wrapStore: wrapStore);
}

public sealed class RedisGuardStartTests : GuardStartTests
{
    private string _redis = string.Empty;

    internal override async Task<ApprovalSidecar> StartSidecarAsync(Func<IApprovalStore, IApprovalStore> wrapStore)
    {
        var redis = await Infrastructure.RedisServer.StartAsync();
        _redis = redis.Endpoint;
        var sidecar = await ApprovalSidecar.StartAsync(redis: redis.Endpoint, wrapStore: wrapStore);
        sidecar.Owned.Add(redis);
        return sidecar;
    }

    [Fact]
    public async Task DeadlineScheduler_AnotherSidecarsCreationsWithLaterDeadlines_DoNotWakeIt()
    {
        await using var other = await ApprovalSidecar.StartAsync(redis: _redis);
        var scheduler = other.Services.GetRequiredService<DeadlineScheduler>();
        using var seen = new StoreContract.ChangeRecorder(other.Services.GetRequiredService<IApprovalStore>());
        var before = scheduler.Passes;
        var watch = Stopwatch.StartNew();
        string? last = null;
        for (var i = 0; i < 40; i++)
        {
            var answer = await Sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900)).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(Verdict.Pending, answer.Verdict);
            last = answer.ApprovalId;
        }

        // Every creation reached the other sidecar, with the deadline the store indexes (2 minutes
        // away): its scheduler slept through them (one pass per second at most, plus the one under way).
        var change = await seen.WaitForAsync(last!, 1, TimeSpan.FromSeconds(20));
        Assert.Null(change.Data);
        Assert.NotNull(change.DeadlineUnixMs);
        var passes = scheduler.Passes - before;
        var seconds = watch.Elapsed.TotalSeconds;
        Assert.True(passes <= Math.Ceiling(seconds) + 2, $"{passes} passes in {seconds:F2} s for 40 creations on another sidecar, due in 2 minutes");
    }
}

public sealed class DeadlineSchedulerWakeTests
{
    [Theory]
    [InlineData(ApprovalState.Pending, null, true)]
    [InlineData(ApprovalState.Escalated, null, true)]
    [InlineData(ApprovalState.Pending, 0L, false)]
    [InlineData(ApprovalState.Pending, 999L, true)]
    [InlineData(ApprovalState.Escalated, 999L, true)]
    [InlineData(ApprovalState.Pending, 1000L, false)]
    [InlineData(ApprovalState.Pending, 5000L, false)]
    [InlineData(ApprovalState.Approved, null, false)]
    [InlineData(ApprovalState.Expired, 10L, false)]
    public void DeadlineScheduler_Wakes_OnlyForAnOpenChangeDueBeforeThePlannedWakeOrOfUnknownDeadline(ApprovalState state, long? deadline, bool wakes) =>
        Assert.Equal(wakes, DeadlineScheduler.Wakes(new ApprovalChange("a", 1, state, "p", null, deadline), 1000));
}
