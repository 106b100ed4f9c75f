using Gate.V1;
using GateSidecar.Approvals;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals;

public sealed class HeldRecordsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Take_GivesTheLatestOpenRecordOnce_ItselfNotACopy_AndNothingForAClosedOne()
    {
        var held = new HeldRecords();
        var pending = Pending(Now);
        var id = pending.Approval.ApprovalId;
        held.Hold(pending);
        var escalated = Next(pending, ApprovalState.Escalated, pool: "leads");
        held.Hold(escalated);

        var taken = held.Take(id);
        Assert.Same(escalated, taken); // written records are never changed: no copy, no parse
        Assert.Equal((2L, "leads"), (taken!.Approval.Seq, taken.Approval.Pool));
        Assert.Null(held.Take(id));

        held.Hold(Next(escalated, ApprovalState.Approved));
        Assert.Null(held.Take(id));

        held.Hold(escalated);
        held.Hold(Next(escalated, ApprovalState.Expired)); // closed by a timeout: let go at once
        Assert.Equal(0, held.Count);
        Assert.Null(held.Take(id));
    }

    [Fact]
    public void Hold_BeyondCapacity_DropsTheOldest()
    {
        var held = new HeldRecords();
        var records = Enumerable.Range(0, HeldRecords.Capacity + 10).Select(_ => Pending(Now)).ToList();
        records.ForEach(held.Hold);

        Assert.Equal(HeldRecords.Capacity, held.Count);
        Assert.All(records.Take(10), r => Assert.Null(held.Take(r.Approval.ApprovalId)));
        Assert.All(records.Skip(10), r => Assert.NotNull(held.Take(r.Approval.ApprovalId)));
    }
}
