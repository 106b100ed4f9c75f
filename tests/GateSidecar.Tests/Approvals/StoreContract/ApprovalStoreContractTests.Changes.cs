using Gate.V1;
using GateSidecar.Approvals;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

public abstract partial class ApprovalStoreContractTests
{
    [Fact]
    public async Task Subscribe_CreateAndUpdate_EachDeliveredOnceWithSeqStateAndPool()
    {
        using var recorder = new ChangeRecorder(Store);
        var deadline = Clock.Now.AddMinutes(2).ToUnixTimeMilliseconds();
        var record = Pending(Clock.Now, pool: "finance", deadlineMs: deadline);
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var escalated = Next(record, ApprovalState.Escalated, pool: "finance-leads", deadlineMs: deadline + 60_000);
        await Store.TryUpdateAsync(escalated, 1, Entries("escalated", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var closed = Next(escalated, ApprovalState.Approved);
        await Store.TryUpdateAsync(closed, 2, Entries("approved", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var id = record.Approval.ApprovalId;

        var created = await recorder.WaitForAsync(id, 1, Timeout);
        var updated = await recorder.WaitForAsync(id, 2, Timeout);
        var approved = await recorder.WaitForAsync(id, 3, Timeout);
        Assert.Equal(new ApprovalChange(id, 1, ApprovalState.Pending, "finance"), created with { Data = null, DeadlineUnixMs = null });
        Assert.Equal(new ApprovalChange(id, 2, ApprovalState.Escalated, "finance-leads"), updated with { Data = null, DeadlineUnixMs = null });
        Assert.Equal(new ApprovalChange(id, 3, ApprovalState.Approved, "finance-leads"), approved with { Data = null, DeadlineUnixMs = null });

        // This store's own changes carry the committed record and the deadline the store indexes
        // for that state (0 once closed): a creation and every update.
        Assert.Equal((record, (long?)deadline), (created.Committed(), created.DeadlineUnixMs));
        Assert.Equal((escalated, (long?)(deadline + 60_000)), (updated.Committed()!, updated.DeadlineUnixMs));
        Assert.Equal((closed, (long?)0L), (approved.Committed()!, approved.DeadlineUnixMs));

        // A later change arrives after any duplicate of the earlier ones would have.
        var sentinel = Pending(Clock.Now);
        await Store.CreateAsync(sentinel, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await recorder.WaitForAsync(sentinel.Approval.ApprovalId, 1, Timeout);
        Assert.Equal(3, recorder.Count(id));
    }

    [Fact]
    public async Task Subscribe_CreatedNotPending_IsNotAnnouncedButItsNextChangeIs()
    {
        using var recorder = new ChangeRecorder(Store);
        var allowed = Pending(Clock.Now, state: ApprovalState.Allowed);
        var denied = Pending(Clock.Now, state: ApprovalState.Denied);
        Assert.True((await Store.CreateAsync(allowed, Entries("allowed", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct)).Created);
        Assert.True((await Store.CreateAsync(denied, [], Ct).AsTask().WaitAsync(Timeout, Ct)).Created);
        Assert.True(await Store.TryUpdateAsync(Next(allowed, ApprovalState.Executed), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        var executed = await recorder.WaitForAsync(allowed.Approval.ApprovalId, 2, Timeout);
        var sentinel = Pending(Clock.Now);
        await Store.CreateAsync(sentinel, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await recorder.WaitForAsync(sentinel.Approval.ApprovalId, 1, Timeout);

        Assert.Equal(ApprovalState.Executed, executed.State);
        Assert.Equal(1, recorder.Count(allowed.Approval.ApprovalId));
        Assert.Equal(0, recorder.Count(denied.Approval.ApprovalId));
    }

    [Fact]
    public async Task Subscribe_NoChange_WhenCreateFindsExistingOrUpdateConflicts()
    {
        var record = Pending(Clock.Now, callId: "toolu_quiet");
        await CreateQuietlyAsync(record, []);
        using var recorder = new ChangeRecorder(Store);

        await Store.CreateAsync(Pending(Clock.Now, callId: "toolu_quiet"), [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.TryUpdateAsync(Next(Next(record, ApprovalState.Pending), ApprovalState.Approved), 2, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        var sentinel = Pending(Clock.Now);
        await Store.CreateAsync(sentinel, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await recorder.WaitForAsync(sentinel.Approval.ApprovalId, 1, Timeout);

        Assert.Equal(0, recorder.Count(record.Approval.ApprovalId));
    }

    [Fact]
    public async Task Subscribe_Disposed_StopsDelivery()
    {
        var stopped = new ChangeRecorder(Store);
        using var live = new ChangeRecorder(Store);
        stopped.Dispose();

        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await live.WaitForAsync(record.Approval.ApprovalId, 1, Timeout);

        Assert.Empty(stopped.Changes);
    }

    [Fact]
    public async Task Subscribe_ThrowingSubscriber_DoesNotStopOthersOrTheWrite()
    {
        using var failing = Store.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        using var recorder = new ChangeRecorder(Store);
        var record = Pending(Clock.Now);

        var result = await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.True(result.Created);
        await recorder.WaitForAsync(record.Approval.ApprovalId, 1, Timeout);
    }
}
