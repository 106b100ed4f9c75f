using Gate.Client;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateSidecar.Tests.Approvals.Functional;

/// <summary>
/// When a store reports that changes were lost (<see cref="ApprovalChange.Resync"/>: a Redis
/// subscription gap longer than the change log), an approver's StreamPending lists what is open
/// again and sends what it had not shown: the approvals created meanwhile, and those it showed
/// open that were decided meanwhile; the pending gauge counts what is open again. Each store runs
/// the same tests (concrete classes at the end).
/// </summary>
public abstract class ResyncTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private ApprovalSidecar _sidecar = null!;
    private ObservedApprovalStore _store = null!;

    internal abstract Task<ApprovalSidecar> StartSidecarAsync(Func<IApprovalStore, IApprovalStore> wrapStore);

    public async ValueTask InitializeAsync() =>
        _sidecar = await StartSidecarAsync(inner => _store = new ObservedApprovalStore(inner));

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task StreamPending_AfterLostChanges_SendsWhatItMissed_AndNothingItAlreadyShowed()
    {
        using var cts = new CancellationTokenSource(Wait);
        var feed = _sidecar.As("alice").StreamPending(new StreamPendingRequest { Pool = "finance" }, new CallOptions(cancellationToken: cts.Token)).GetAsyncEnumerator();
        Assert.True(await EventStreams.FirstEventAsync(feed, () => _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900)), Wait));
        var shown = feed.Current;
        Assert.Equal(ApprovalState.Pending, shown.State);

        // Every announcement lost from here: one approval created and the one shown rejected.
        _store.DropChange = _ => true;
        var missed = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(910)).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, missed.Verdict);
        await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = shown.ApprovalId, Verdict = DecisionVerdict.Reject, Reason = "duplicate" }).WaitAsync(Wait);

        var pending = (await _sidecar.As("alice").ListPendingAsync(new ListPendingRequest { Pool = "finance", PageSize = 500 }).WaitAsync(Wait)).Approvals;
        _store.DropChange = null;
        _store.Announce(ApprovalChange.Resync);

        // The stream sends the approvals it had not shown (the one created during the loss, and any
        // other created before the stream's first event), the rejection, and nothing else.
        var expected = pending.Where(a => a.ApprovalId != shown.ApprovalId).Select(a => a.ApprovalId).ToHashSet();
        Assert.Contains(missed.ApprovalId, expected);
        var received = new List<ApprovalEvent>();
        while (received.Count < expected.Count + 1)
        {
            Assert.True(await feed.MoveNextAsync().AsTask().WaitAsync(Wait));
            received.Add(feed.Current);
        }

        var rejected = Assert.Single(received, e => e.ApprovalId == shown.ApprovalId);
        Assert.Equal(ApprovalState.Rejected, rejected.State);
        Assert.Equal(expected, received.Where(e => e.ApprovalId != shown.ApprovalId).Select(e => e.ApprovalId).ToHashSet());
        Assert.All(received.Where(e => e.ApprovalId != shown.ApprovalId), e => Assert.Equal(ApprovalState.Pending, e.State));

        // A second resync sends nothing more: the next event is a new approval's.
        _store.Announce(ApprovalChange.Resync);
        var after = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(920)).WaitAsync(Wait);
        Assert.True(await feed.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(after.ApprovalId, feed.Current.ApprovalId);
        await cts.CancelAsync();
        await feed.DisposeAsync();
    }

    [Fact]
    public async Task PendingGauge_AfterLostChanges_CountsWhatIsOpenAgain()
    {
        // The gauge's tally (off in these sidecars: metrics are not exported), on the same store.
        using var tally = new PendingApprovalsTally(_store, () => [.. TestPolicies.Load().Pools.Keys], () => true, TimeProvider.System, NullLogger<PendingApprovalsTally>.Instance);
        await tally.StartAsync(CancellationToken.None).WaitAsync(Wait);
        try
        {
            await CountsAgainAsync(tally);
        }
        finally
        {
            await tally.StopAsync(CancellationToken.None).WaitAsync(Wait);
        }
    }

    private async Task CountsAgainAsync(PendingApprovalsTally tally)
    {
        var counted = await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900)).WaitAsync(Wait);
        await EventuallyAsync(() => tally.Count == 1, () => $"the gauge counts {tally.Count} before the loss, not 1");

        // Lost: two approvals created, the counted one rejected. The count does not move.
        _store.DropChange = _ => true;
        await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(910)).WaitAsync(Wait);
        await _sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(920)).WaitAsync(Wait);
        await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = counted.ApprovalId, Verdict = DecisionVerdict.Reject, Reason = "duplicate" }).WaitAsync(Wait);
        Assert.Equal(1, tally.Count);
        _store.DropChange = null;

        _store.Announce(ApprovalChange.Resync);
        await EventuallyAsync(() => tally.Count == 2, () => $"the gauge counts {tally.Count} after the resync, not 2");
    }

    private static async Task EventuallyAsync(Func<bool> condition, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), failure());
    }
}

public sealed class SqliteResyncTests : ResyncTests
{
    internal override Task<ApprovalSidecar> StartSidecarAsync(Func<IApprovalStore, IApprovalStore> wrapStore) =>
        ApprovalSidecar.StartAsync(wrapStore: wrapStore);
}

public sealed class RedisResyncTests : ResyncTests
{
    internal override async Task<ApprovalSidecar> StartSidecarAsync(Func<IApprovalStore, IApprovalStore> wrapStore)
    {
        var redis = await Infrastructure.RedisServer.StartAsync();
        var sidecar = await ApprovalSidecar.StartAsync(redis: redis.Endpoint, wrapStore: wrapStore);
        sidecar.Owned.Add(redis);
        return sidecar;
    }
}
